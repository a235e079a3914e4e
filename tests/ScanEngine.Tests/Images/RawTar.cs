using System.Text;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// Writes tar headers byte by byte, as a hostile producer would: any type flag, any size field (octal or GNU base-256), PAX
/// records of any content. TarWriter refuses to write most of what these tests need.
/// </summary>
internal sealed class RawTar
{
    private readonly MemoryStream _bytes = new();

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>A ustar header whose size field holds <paramref name="sizeField"/> (12 bytes) and its data, padded to 512.</summary>
    public RawTar Entry(string name, char type, byte[] sizeField, byte[] data)
    {
        _bytes.Write(Header(name, type, sizeField));
        Data(data);
        return this;
    }

    public RawTar Entry(string name, char type, byte[] data) => Entry(name, type, Octal(data.Length), data);

    public RawTar File(string name, string content) => Entry(name, '0', Encoding.UTF8.GetBytes(content));

    /// <summary>A PAX 'x' header with the given records ("key", "value") for the next entry.</summary>
    public RawTar Pax(params (string Key, string Value)[] records) => Entry("PaxHeaders/x", 'x', PaxRecords(records));

    /// <summary>Bytes written as they are (the data of an entry whose header was written alone).</summary>
    public RawTar Data(byte[] data)
    {
        _bytes.Write(data);
        var padding = (512 - data.Length % 512) % 512;
        _bytes.Write(new byte[padding]);
        return this;
    }

    public RawTar Header(string name, char type, long size) => Raw(Header(name, type, Octal(size)));

    public RawTar Raw(byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    /// <summary>Two zero blocks: the end of the archive.</summary>
    public RawTar End() => Raw(new byte[1024]);

    public static byte[] PaxRecords(params (string Key, string Value)[] records)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in records)
        {
            var body = $" {key}={value}\n";
            var length = body.Length + 1;
            while ((length.ToString().Length + body.Length) != length) length++;
            text.Append(length).Append(body);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>An 11-digit octal size field, NUL-terminated, as tar writes sizes below 8 GiB.</summary>
    public static byte[] Octal(long size)
    {
        var field = new byte[12];
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0')).CopyTo(field, 0);
        return field;
    }

    /// <summary>A GNU base-256 size field: 0x80, then the size big-endian in the remaining 11 bytes.</summary>
    public static byte[] Base256(long size)
    {
        var field = new byte[12];
        field[0] = 0x80;
        for (var i = 11; i >= 4; i--, size >>= 8) field[i] = (byte)(size & 0xFF);
        return field;
    }

    public static byte[] Header(string name, char type, byte[] sizeField)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        sizeField.CopyTo(header, 124);
        Encoding.ASCII.GetBytes("14000000000\0").CopyTo(header, 136);
        header[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        for (var i = 148; i < 156; i++) header[i] = (byte)' ';
        var sum = header.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }
}

/// <summary>
/// A prefix, then zeros up to a length, produced as they are read (nothing is held): the data of a header that declares gigabytes.
/// Counts what was read from it.
/// </summary>
internal sealed class LazyZerosStream(byte[] prefix, long zeros) : Stream
{
    private long _position;

    public long BytesRead => _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = prefix.Length + zeros;
        var n = (int)Math.Min(buffer.Length, total - _position);
        if (n <= 0) return 0;
        var fromPrefix = (int)Math.Clamp(prefix.Length - _position, 0, n);
        prefix.AsSpan((int)Math.Min(_position, prefix.Length), fromPrefix).CopyTo(buffer);
        buffer[fromPrefix..n].Clear();
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
