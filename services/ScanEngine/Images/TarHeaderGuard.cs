using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// A pass-through stream between a layer's decompressor and <see cref="System.Formats.Tar.TarReader"/> that follows the tar's
/// 512-byte header structure and refuses a metadata entry whose data TarReader would read into memory whole (a PAX extended
/// header 'x' or 'g', a GNU long name 'L' or long link 'K') when it is larger than <see cref="LayerLimits.MaxHeaderBytes"/>,
/// before TarReader sees the header: a declared 2 GB PAX record would otherwise be allocated in one piece.
/// </summary>
/// <remarks>
/// It reads the size field as TarReader does (octal, or GNU base-256 when the first byte is 0x80 or 0xFF), applies a PAX 'x'
/// record's "size" to the next header, skips each entry's data and its padding to the next 512-byte block, and stops following
/// at the first header whose checksum field is empty or zero (TarReader's end of archive). It never buffers more than one header
/// and the data of one PAX 'x' header (within the limit). A header it cannot parse is left to TarReader, which rejects it too.
/// </remarks>
internal sealed class TarHeaderGuard(Stream inner, string digest, long maxHeaderBytes) : Stream
{
    private const int Block = 512;
    private const int SizeOffset = 124, SizeLength = 12, ChecksumOffset = 148, ChecksumLength = 8, TypeOffset = 156;

    private readonly byte[] _header = new byte[Block];
    private int _headerFilled;

    /// <summary>Bytes of the current entry's data and padding still to pass before the next header.</summary>
    private long _dataLeft;

    /// <summary>The data of the current PAX 'x' header, kept to find its "size" record; null for other entries.</summary>
    private MemoryStream? _paxData;
    private long _paxDataLeft;

    /// <summary>The size a PAX 'x' record set for the next header.</summary>
    private long? _sizeOverride;

    private long _headers;
    private bool _ended;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Follow(buffer[..read]);
        return read;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Follow(buffer.Span[..read]);
        return read;
    }

    /// <summary>Advances the tar structure over bytes about to be handed to TarReader; throws before a too-large header's data passes.</summary>
    private void Follow(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0 && !_ended)
        {
            if (_dataLeft > 0)
            {
                var n = (int)Math.Min(_dataLeft, bytes.Length);
                if (_paxData is not null && _paxDataLeft > 0)
                {
                    var keep = (int)Math.Min(_paxDataLeft, n);
                    _paxData.Write(bytes[..keep]);
                    _paxDataLeft -= keep;
                    if (_paxDataLeft == 0) EndPaxData();
                }
                _dataLeft -= n;
                bytes = bytes[n..];
                continue;
            }
            var take = Math.Min(Block - _headerFilled, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            bytes = bytes[take..];
            if (_headerFilled == Block)
            {
                _headerFilled = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        var checksum = _header.AsSpan(ChecksumOffset, ChecksumLength);
        if (!checksum.ContainsAnyExcept((byte)0) || !TryParse(checksum, octalOnly: true, out var sum) || sum == 0)
        {
            // TarReader's end of archive (or a header it rejects): what follows is padding, drained elsewhere.
            _ended = true;
            return;
        }
        if (!TryParse(_header.AsSpan(SizeOffset, SizeLength), octalOnly: false, out var size) || size < 0)
        {
            _ended = true; // TarReader throws on this header.
            return;
        }
        _headers++;
        var type = (char)_header[TypeOffset];
        if (_sizeOverride is { } overridden)
        {
            size = overridden;
            _sizeOverride = null;
        }
        if (Metadata(type) is { } kind && size > maxHeaderBytes)
            throw new ScanException(ScanFailureKind.LayerTooLarge,
                $"Layer {digest} has {kind} of {size} bytes at entry {_headers}, more than the {maxHeaderBytes} allowed (limit MaxHeaderBytes).");

        // Entries without a data section make TarReader throw when their size is not zero, so the size is their data here too.
        _dataLeft = size + (Block - size % Block) % Block;
        if (type == 'x' && size > 0)
        {
            _paxData = new MemoryStream((int)size);
            _paxDataLeft = size;
        }
        else
        {
            _paxData = null;
        }
    }

    private static string? Metadata(char type) => type switch
    {
        'x' => "a PAX extended header",
        'g' => "a PAX global extended header",
        'L' => "a GNU long name",
        'K' => "a GNU long link name",
        _ => null,
    };

    /// <summary>Finds the "size" record of a PAX header ("length key=value\n" records), which overrides the next header's size.</summary>
    private void EndPaxData()
    {
        var data = _paxData!.GetBuffer().AsSpan(0, (int)_paxData.Length);
        _paxData = null;
        while (data.Length > 0)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                length <= space + 1 || length > data.Length || data[length - 1] != (byte)'\n')
                return; // Malformed: TarReader rejects the header.
            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals > 0 && record[..equals].SequenceEqual("size"u8))
            {
                if (long.TryParse(Encoding.UTF8.GetString(record[(equals + 1)..]), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
                    _sizeOverride = size;
            }
            data = data[length..];
        }
    }

    /// <summary>A numeric field as TarReader reads it: base-256 when it starts with 0x80 (positive) or 0xFF (negative), else octal.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> field, bool octalOnly, out long value)
    {
        value = 0;
        if (!octalOnly && field[0] == 0x80)
        {
            var digits = field[1..];
            var significant = digits.IndexOfAnyExcept((byte)0);
            if (significant < 0) return true;
            if (digits.Length - significant > 8) return false;
            var padded = new byte[8];
            digits[significant..].CopyTo(padded.AsSpan(8 - (digits.Length - significant)));
            var unsigned = BinaryPrimitives.ReadUInt64BigEndian(padded);
            if (unsigned > long.MaxValue) return false;
            value = (long)unsigned;
            return true;
        }
        if (!octalOnly && field[0] == 0xFF)
        {
            value = -1; // negative: TarReader refuses it
            return true;
        }
        var nul = field.IndexOf((byte)0);
        if (nul >= 0) field = field[..nul];
        field = field.Trim((byte)' ');
        foreach (var b in field)
        {
            var digit = b - '0';
            if (digit is < 0 or >= 8 || value > (long.MaxValue >> 3)) return false;
            value = value * 8 + digit;
        }
        return true;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
