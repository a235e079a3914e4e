namespace ImageScanning.ScanEngine.Ecosystems.Oracle;

/// <summary>
/// A read-only bzip2 decompressing stream (Oracle serves its OVAL files only as .bz2, and .NET has no bzip2 decoder).
/// The format, as bzip2 1.0's decompress.c reads it: "BZh1".."BZh9" (block size 100k..900k), then blocks, each a 48-bit
/// magic 0x314159265359, its CRC, a randomised bit (obsolete since bzip2 0.9.5; refused), the BWT origin pointer, the
/// symbol map, 2..6 Huffman tables chosen per 50 symbols by MTF-coded selectors, the MTF/RUNA/RUNB-coded BWT output; then
/// 0x177245385090 and the stream CRC. Concatenated streams (pbzip2) are read in turn. Output is produced on demand (a
/// block is held as at most 900k ints, never expanded), and every count, pointer and code is checked, so hostile input
/// ends in <see cref="InvalidDataException"/>, never a hang or an out-of-range access. Block and stream CRCs are verified.
/// </summary>
public sealed class BZip2DecoderStream(Stream compressed, bool leaveOpen = false) : Stream
{
    private const ulong BlockMagic = 0x314159265359;
    private const ulong EndMagic = 0x177245385090;
    private const int MaxGroups = 6, MaxSelectors = 18002, MaxCodeLength = 20, GroupSize = 50;
    private static readonly uint[] CrcTable = BuildCrcTable();

    private readonly byte[] _input = new byte[65536];
    private int _inputLength, _inputPos;
    private ulong _bits;
    private int _bitCount;

    private int[] _tt = [];
    private int _blockSize100k;
    private bool _inStream, _finished;
    private int _remaining, _tPos, _last = -1, _runCount, _pendingRepeat;
    private uint _blockCrc, _expectedBlockCrc, _streamCrc, _expectedStreamCrc;
    private bool _inBlock;
    private int _streamsRead;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_pendingRepeat > 0)
            {
                Emit(buffer, ref written, (byte)_last);
                _pendingRepeat--;
                continue;
            }
            if (!_inBlock || _remaining == 0)
            {
                if (_inBlock) EndBlock();
                if (_finished || !StartBlock()) break;
                continue;
            }
            if ((uint)_tPos >= (uint)_tt.Length) throw Bad("BWT pointer out of range");
            _tPos = _tt[_tPos];
            var b = _tPos & 0xff;
            _tPos >>= 8;
            _remaining--;
            if (_runCount == 4)
            {
                _pendingRepeat = b;
                _runCount = 0;
                continue;
            }
            if (b == _last) _runCount++;
            else { _last = b; _runCount = 1; }
            Emit(buffer, ref written, (byte)b);
        }
        return written;
    }

    private void Emit(Span<byte> buffer, ref int written, byte b)
    {
        buffer[written++] = b;
        _blockCrc = (_blockCrc << 8) ^ CrcTable[(_blockCrc >> 24) ^ b];
    }

    private void EndBlock()
    {
        _inBlock = false;
        if (~_blockCrc != _expectedBlockCrc) throw Bad("block CRC mismatch");
        _streamCrc = ((_streamCrc << 1) | (_streamCrc >> 31)) ^ _expectedBlockCrc;
    }

    /// <summary>Reads the next block header and data; false at the end of the last stream.</summary>
    private bool StartBlock()
    {
        while (true)
        {
            if (!_inStream)
            {
                if (!TryReadStreamHeader()) { _finished = true; return false; }
                _inStream = true;
                _streamCrc = 0;
            }
            var magic = ((ulong)Bits(24) << 24) | Bits(24);
            if (magic == EndMagic)
            {
                _expectedStreamCrc = Bits(32);
                if (_expectedStreamCrc != _streamCrc) throw Bad("stream CRC mismatch");
                _inStream = false;
                _streamsRead++;
                _bitCount -= _bitCount % 8; // streams start on a byte boundary
                continue;
            }
            if (magic != BlockMagic) throw Bad("not a bzip2 block");
            _expectedBlockCrc = Bits(32);
            if (Bits(1) != 0) throw Bad("randomised blocks (bzip2 before 0.9.5) are not supported");
            ReadBlock();
            _blockCrc = 0xffffffff;
            _last = -1;
            _runCount = 0;
            _pendingRepeat = 0;
            _inBlock = true;
            return true;
        }
    }

    private bool TryReadStreamHeader()
    {
        if (!TryFill(8)) return false; // a clean end between streams
        if (Bits(8) != 'B' || Bits(8) != 'Z' || Bits(8) != 'h')
        {
            // Trailing bytes after a stream are ignored, as bzip2 does ("trailing garbage after EOF ignored").
            if (_streamsRead > 0) return false;
            throw Bad("no BZh stream header");
        }
        var level = (int)Bits(8) - '0';
        if (level is < 1 or > 9) throw Bad("block size is not 1..9");
        _blockSize100k = level;
        return true;
    }

    private void ReadBlock()
    {
        var maxBlock = _blockSize100k * 100000;
        var origPtr = (int)Bits(24);

        // Symbol map: 16 ranges of 16 byte values.
        var used = Bits(16);
        var seqToUnseq = new byte[256];
        var inUse = 0;
        for (var i = 0; i < 16; i++)
        {
            if ((used & (0x8000u >> i)) == 0) continue;
            var bits = Bits(16);
            for (var j = 0; j < 16; j++)
                if ((bits & (0x8000u >> j)) != 0) seqToUnseq[inUse++] = (byte)(i * 16 + j);
        }
        if (inUse == 0) throw Bad("no symbols in use");
        var alphaSize = inUse + 2;

        var groups = (int)Bits(3);
        if (groups is < 2 or > MaxGroups) throw Bad("Huffman table count is not 2..6");
        var selectorCount = (int)Bits(15);
        if (selectorCount < 1) throw Bad("no selectors");
        var selectors = new byte[Math.Min(selectorCount, MaxSelectors)];
        Span<byte> mtfGroups = stackalloc byte[MaxGroups];
        for (var i = 0; i < groups; i++) mtfGroups[i] = (byte)i;
        for (var i = 0; i < selectorCount; i++)
        {
            var j = 0;
            while (Bits(1) == 1)
                if (++j >= groups) throw Bad("selector out of range");
            var value = mtfGroups[j];
            for (; j > 0; j--) mtfGroups[j] = mtfGroups[j - 1];
            mtfGroups[0] = value;
            if (i < selectors.Length) selectors[i] = value; // bzip2 1.0.8 ignores selectors past 18002 too
        }

        var tables = new HuffmanTable[groups];
        var lengths = new byte[alphaSize];
        for (var t = 0; t < groups; t++)
        {
            var length = (int)Bits(5);
            for (var s = 0; s < alphaSize; s++)
            {
                while (true)
                {
                    if (length is < 1 or > MaxCodeLength) throw Bad("Huffman code length out of range");
                    if (Bits(1) == 0) break;
                    length += Bits(1) == 0 ? 1 : -1;
                }
                lengths[s] = (byte)length;
            }
            tables[t] = new HuffmanTable(lengths);
        }

        // MTF/RLE2 decoding into _tt (low byte = symbol), counting each byte value.
        if (_tt.Length != maxBlock) _tt = new int[maxBlock];
        Span<int> counts = stackalloc int[256];
        counts.Clear();
        Span<byte> mtf = stackalloc byte[256];
        for (var i = 0; i < 256; i++) mtf[i] = (byte)i;
        var n = 0;
        var selector = 0;
        var left = 0;
        HuffmanTable table = tables[0];
        int run = 0, runWeight = 1;
        var endOfBlock = alphaSize - 1;
        while (true)
        {
            if (left == 0)
            {
                if (selector >= selectors.Length) throw Bad("ran out of selectors");
                table = tables[selectors[selector++]];
                left = GroupSize;
            }
            left--;
            var symbol = table.Decode(this);
            if (symbol <= 1) // RUNA / RUNB: bijective base-2 run length of the front symbol
            {
                if (runWeight > maxBlock) throw Bad("run too long");
                run += runWeight << symbol;
                runWeight <<= 1;
                if (run > maxBlock) throw Bad("run too long");
                continue;
            }
            if (run > 0)
            {
                if (n + run > maxBlock) throw Bad("block larger than its declared size");
                var b = seqToUnseq[mtf[0]];
                counts[b] += run;
                _tt.AsSpan(n, run).Fill(b);
                n += run;
                run = 0;
                runWeight = 1;
            }
            if (symbol == endOfBlock) break;
            var index = symbol - 1;
            if (index >= inUse) throw Bad("MTF index out of range");
            var front = mtf[index];
            for (var k = index; k > 0; k--) mtf[k] = mtf[k - 1];
            mtf[0] = front;
            if (n >= maxBlock) throw Bad("block larger than its declared size");
            var value = seqToUnseq[front];
            counts[value]++;
            _tt[n++] = value;
        }
        if (origPtr >= n) throw Bad("origin pointer past the block");

        // Inverse BWT: T^-1 links in the high bits, as bzip2's fast decoder keeps them.
        Span<int> cumulative = stackalloc int[256];
        for (int i = 0, sum = 0; i < 256; i++) { cumulative[i] = sum; sum += counts[i]; }
        for (var i = 0; i < n; i++)
        {
            var b = _tt[i] & 0xff;
            _tt[cumulative[b]++] |= i << 8;
        }
        _tPos = _tt[origPtr] >> 8;
        _remaining = n;
        if (n < _tt.Length) Array.Clear(_tt, n, _tt.Length - n); // stale links past the block would still be in range
    }

    /// <summary>Canonical Huffman decoding, one bit at a time (codes are at most 20 bits).</summary>
    private sealed class HuffmanTable
    {
        private readonly int[] _count = new int[MaxCodeLength + 1];
        private readonly int[] _symbols;

        public HuffmanTable(byte[] lengths)
        {
            _symbols = new int[lengths.Length];
            foreach (var l in lengths) _count[l]++;
            var left = 1; // Kraft: an over-subscribed code would decode to symbols outside the table
            for (var l = 1; l <= MaxCodeLength; l++)
                if ((left = (left << 1) - _count[l]) < 0) throw Bad("over-subscribed Huffman code");
            var offsets = new int[MaxCodeLength + 2];
            for (var l = 1; l <= MaxCodeLength; l++) offsets[l + 1] = offsets[l] + _count[l];
            for (var s = 0; s < lengths.Length; s++) _symbols[offsets[lengths[s]]++] = s;
        }

        public int Decode(BZip2DecoderStream bits)
        {
            int code = 0, first = 0, index = 0;
            for (var length = 1; length <= MaxCodeLength; length++)
            {
                code |= (int)bits.Bits(1);
                var count = _count[length];
                var offset = code - first;
                if (offset < count) return offset >= 0 ? _symbols[index + offset] : throw Bad("invalid Huffman code");
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            throw Bad("invalid Huffman code");
        }
    }

    private uint Bits(int n)
    {
        if (!TryFill(n)) throw Bad("truncated");
        _bitCount -= n;
        return (uint)((_bits >> _bitCount) & ((1UL << n) - 1));
    }

    private bool TryFill(int n)
    {
        while (_bitCount < n)
        {
            if (_inputPos == _inputLength)
            {
                _inputLength = compressed.Read(_input, 0, _input.Length);
                _inputPos = 0;
                if (_inputLength == 0) return false;
            }
            _bits = (_bits << 8) | _input[_inputPos++];
            _bitCount += 8;
        }
        return true;
    }

    private static InvalidDataException Bad(string why) => new("bzip2: " + why);

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i << 24;
            for (var k = 0; k < 8; k++) c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
            table[i] = c;
        }
        return table;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen) compressed.Dispose();
        base.Dispose(disposing);
    }
}
