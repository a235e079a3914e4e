using System.Buffers.Binary;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// rpm's "ndb" backend (<c>Packages.db</c>, lib/backend/ndb/rpmpkg.c), all little-endian: a 32-byte
/// header ("RpmP", version 0, generation, number of 4 KiB slot pages), then the slot pages whose 16-byte
/// slots ("Slot", package index, block offset, block count) point at blobs in 16-byte blocks; each blob has
/// a 16-byte header ("BlbS", package index, checksum, length) followed by the rpm header.
/// </summary>
internal static class NdbRpmDatabase
{
    private const uint HeaderMagic = 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24;
    private const uint SlotMagic = 'S' | 'l' << 8 | 'o' << 16 | 't' << 24;
    private const uint BlobMagic = 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24;
    private const int SlotPageSize = 4096, SlotSize = 16, BlockSize = 16, HeaderSize = 32;

    public static bool HasMagic(ReadOnlySpan<byte> content) =>
        content.Length >= HeaderSize && BinaryPrimitives.ReadUInt32LittleEndian(content) == HeaderMagic;

    public static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content)
    {
        if (!HasMagic(content)) throw new InvalidDataException("not an rpm ndb database (no RpmP magic)");
        var span = content.AsSpan();
        var version = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        var slotPages = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        if (version != 0) throw new InvalidDataException($"rpm ndb database version {version} is not supported");
        if (slotPages == 0 || (long)slotPages * SlotPageSize > content.Length)
            throw new InvalidDataException($"rpm ndb database declares {slotPages} slot pages in {content.Length} bytes");

        var blobs = new List<byte[]>();
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
            blobs.Add(span.Slice((int)blobStart + BlockSize, (int)length).ToArray());
        }
        return blobs;
    }
}
