using System.Buffers.Binary;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// rpm's Berkeley DB backend: <c>Packages</c> is a BDB hash database whose keys are package numbers and
/// whose values are header blobs. Headers are larger than a hash page can hold inline, so every value is an
/// "off-page" item (H_OFFPAGE) naming the first of a chain of overflow pages. This reader does not use the
/// hash at all: it visits every hash page, takes the off-page values and follows their chains, as
/// knqyf263/go-rpmdb does. Layouts follow BDB's db_page.h; the byte order is that of the metadata page's
/// magic. Every chain is bounded by the page count, so a cyclic or truncated chain is an error, never a hang.
/// <para>
/// The file comes from the image: items naming a chain already read are read once, an overflow page may belong to one
/// chain only (so a cycle, or chains sharing a tail, are refused), and the header count and their bytes together are
/// bounded by <see cref="SqliteRpmDatabaseLimits"/>' rows and bytes, so what is copied never exceeds the file itself.
/// </para>
/// </summary>
internal static class BerkeleyRpmDatabase
{
    private const uint HashMagic = 0x061561;
    private const int PageHeaderSize = 26;
    private const byte HashMetadataPage = 8, HashPage = 13, HashUnsortedPage = 2, OverflowPage = 7, OffPageItem = 3;

    public static bool HasMagic(ReadOnlySpan<byte> content) =>
        content.Length >= 512
        && (BinaryPrimitives.ReadUInt32LittleEndian(content[12..]) == HashMagic
            || BinaryPrimitives.ReadUInt32BigEndian(content[12..]) == HashMagic);

    private readonly ref struct Reader(ReadOnlySpan<byte> content, bool bigEndian)
    {
        public readonly ReadOnlySpan<byte> Content = content;
        public ushort U16(int at) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(Content[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(Content[at..]);
        public uint U32(int at) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(Content[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(Content[at..]);
    }

    public static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content) => ReadHeaderBlobs(content, SqliteRpmDatabaseLimits.Default);

    internal static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content, SqliteRpmDatabaseLimits limits)
    {
        if (!HasMagic(content)) throw new InvalidDataException("not a Berkeley DB hash database (no hash magic)");
        var r = new Reader(content, BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(12)) != HashMagic);
        var pageSize = r.U32(20);
        if (pageSize is < 512 or > 65536 || (pageSize & (pageSize - 1)) != 0)
            throw new InvalidDataException($"Berkeley DB page size {pageSize} is invalid");
        if (content[24] != 0) throw new InvalidDataException("Berkeley DB database is encrypted");
        if (content[25] != HashMetadataPage) throw new InvalidDataException($"Berkeley DB first page has type {content[25]}, not hash metadata");
        var lastPage = r.U32(32);
        var pageCount = (int)Math.Min((long)lastPage + 1, content.Length / pageSize);

        var blobs = new List<byte[]>();
        var chainStarts = new HashSet<uint>();
        var inChain = new bool[pageCount];
        long totalBytes = 0;
        for (var page = 1; page < pageCount; page++)
        {
            var start = page * (int)pageSize;
            var type = content[start + 25];
            if (type is not (HashPage or HashUnsortedPage)) continue;
            var entries = r.U16(start + 20);
            if (PageHeaderSize + 2 * entries > pageSize)
                throw new InvalidDataException($"Berkeley DB page {page} declares {entries} entries");
            // Items come in key/value pairs: the values are the odd ones.
            for (var i = 1; i < entries; i += 2)
            {
                var itemOffset = r.U16(start + PageHeaderSize + 2 * i);
                if (itemOffset < PageHeaderSize || itemOffset >= pageSize)
                    throw new InvalidDataException($"Berkeley DB page {page} item {i} lies outside the page");
                var item = start + itemOffset;
                if (content[item] != OffPageItem) continue; // small inline values (rpm's counters) are no headers
                if (itemOffset + 12 > pageSize) throw new InvalidDataException($"Berkeley DB page {page} off-page item {i} is cut short");
                var firstPage = r.U32(item + 4);
                if (!chainStarts.Add(firstPage)) continue; // another item naming the same header: read once
                if (blobs.Count >= limits.MaxRows)
                    throw new InvalidDataException($"Berkeley DB database: more than {limits.MaxRows} package headers");
                var totalLength = r.U32(item + 8);
                if (totalBytes + totalLength > limits.MaxBlobBytes)
                    throw new InvalidDataException($"Berkeley DB database: the header blobs are larger than the limit of {limits.MaxBlobBytes} bytes");
                totalBytes += totalLength;
                blobs.Add(ReadOverflowChain(r, firstPage, totalLength, (int)pageSize, pageCount, inChain));
            }
        }
        return blobs;
    }

    private static byte[] ReadOverflowChain(Reader r, uint firstPage, uint totalLength, int pageSize, int pageCount, bool[] inChain)
    {
        if (totalLength > (long)pageCount * pageSize)
            throw new InvalidDataException($"Berkeley DB value of {totalLength} bytes is larger than the database");
        var value = new byte[totalLength];
        var filled = 0;
        var page = firstPage;
        for (var steps = 0; filled < totalLength; steps++)
        {
            if (page == 0 || page >= pageCount || steps >= pageCount)
                throw new InvalidDataException($"Berkeley DB overflow chain from page {firstPage} is broken at page {page}");
            if (inChain[page])
                throw new InvalidDataException($"Berkeley DB overflow chain from page {firstPage} meets page {page} a second time (a cycle, or chains sharing pages)");
            inChain[page] = true;
            var start = (int)page * pageSize;
            if (r.Content[start + 25] != OverflowPage)
                throw new InvalidDataException($"Berkeley DB page {page} in an overflow chain has type {r.Content[start + 25]}");
            // On overflow pages the "free offset" field holds the number of bytes the page carries.
            var length = Math.Min(Math.Min(r.U16(start + 22), pageSize - PageHeaderSize), (int)totalLength - filled);
            r.Content.Slice(start + PageHeaderSize, length).CopyTo(value.AsSpan(filled));
            filled += length;
            if (length == 0 && filled < totalLength)
                throw new InvalidDataException($"Berkeley DB overflow page {page} is empty");
            page = r.U32(start + 16);
        }
        return value;
    }
}
