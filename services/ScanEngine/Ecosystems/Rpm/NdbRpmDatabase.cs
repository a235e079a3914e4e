using System.Buffers.Binary;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// rpm's "ndb" backend (<c>Packages.db</c>, lib/backend/ndb/rpmpkg.c), all little-endian: a 32-byte
/// header ("RpmP", version 0, generation, number of 4 KiB slot pages), then the slot pages whose 16-byte
/// slots ("Slot", package index, block offset, block count) point at blobs in 16-byte blocks; each blob has
/// a 16-byte header ("BlbS", package index, checksum, length) followed by the rpm header.
/// <para>
/// The file comes from the image: slots naming a blob already taken are read once, blobs may not overlap, and the header
/// count and their bytes together are bounded by <see cref="SqliteRpmDatabaseLimits"/>' rows and bytes, so what is copied
/// never exceeds the file itself.
/// </para>
/// </summary>
internal static class NdbRpmDatabase
{
    private const uint HeaderMagic = 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24;
    private const uint SlotMagic = 'S' | 'l' << 8 | 'o' << 16 | 't' << 24;
    private const uint BlobMagic = 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24;
    private const int SlotPageSize = 4096, SlotSize = 16, BlockSize = 16, HeaderSize = 32;

    public static bool HasMagic(ReadOnlySpan<byte> content) =>
        content.Length >= HeaderSize && BinaryPrimitives.ReadUInt32LittleEndian(content) == HeaderMagic;

    public static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content) => ReadHeaderBlobs(content, SqliteRpmDatabaseLimits.Default);

    internal static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content, SqliteRpmDatabaseLimits limits)
    {
        if (!HasMagic(content)) throw new InvalidDataException("not an rpm ndb database (no RpmP magic)");
        var span = content.AsSpan();
        var version = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        var slotPages = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        if (version != 0) throw new InvalidDataException($"rpm ndb database version {version} is not supported");
        if (slotPages == 0 || (long)slotPages * SlotPageSize > content.Length)
            throw new InvalidDataException($"rpm ndb database declares {slotPages} slot pages in {content.Length} bytes");

        // Located first, copied once all are known not to overlap: the copies then add up to at most the file.
        var located = new List<(uint Package, long Start, uint Length)>();
        var starts = new HashSet<long>();
        long totalBytes = 0;
        var slotsEnd = (int)(slotPages * SlotPageSize);
        // The first two slots' room holds the database header.
        for (var at = HeaderSize; at + SlotSize <= slotsEnd; at += SlotSize)
        {
            var slot = span.Slice(at, SlotSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(slot) != SlotMagic)
                throw new InvalidDataException($"rpm ndb slot at byte {at} has a bad magic");
            var packageIndex = BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]);
            if (packageIndex == 0) continue; // a free slot
            var blockOffset = BinaryPrimitives.ReadUInt32LittleEndian(slot[8..]);
            var blobStart = (long)blockOffset * BlockSize;
            if (blobStart < slotsEnd || blobStart + BlockSize > content.Length)
                throw new InvalidDataException($"rpm ndb package {packageIndex} points outside the file (block {blockOffset})");
            var blobHeader = span.Slice((int)blobStart, BlockSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(blobHeader) != BlobMagic
                || BinaryPrimitives.ReadUInt32LittleEndian(blobHeader[4..]) != packageIndex)
                throw new InvalidDataException($"rpm ndb package {packageIndex} has no matching blob at block {blockOffset}");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(blobHeader[12..]);
            if (blobStart + BlockSize + length > content.Length)
                throw new InvalidDataException($"rpm ndb package {packageIndex} blob of {length} bytes runs past the end");
            if (!starts.Add(blobStart)) continue; // another slot naming the same blob: read once
            if (located.Count >= limits.MaxRows)
                throw new InvalidDataException($"rpm ndb database: more than {limits.MaxRows} package headers");
            totalBytes += length;
            if (totalBytes > limits.MaxBlobBytes)
                throw new InvalidDataException($"rpm ndb database: the header blobs are larger than the limit of {limits.MaxBlobBytes} bytes");
            located.Add((packageIndex, blobStart, length));
        }

        long previousEnd = 0;
        uint previous = 0;
        foreach (var (package, start, length) in located.OrderBy(b => b.Start))
        {
            if (start < previousEnd)
                throw new InvalidDataException($"rpm ndb package {package} blob overlaps the blob of package {previous}");
            previousEnd = start + BlockSize + length;
            previous = package;
        }
        return located.Select(b => content.AsSpan((int)b.Start + BlockSize, (int)b.Length).ToArray()).ToList();
    }
}
