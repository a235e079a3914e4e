using System.Buffers.Binary;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Rpm;

/// <summary>
/// Berkeley DB and ndb databases whose items all name one header (built here from the real samples): each header is copied once,
/// so a small file cannot ask for gigabytes; chains that share pages and blobs that overlap are refused; the header count and
/// their bytes are bounded like the SQLite reader's.
/// </summary>
public sealed class RpmSharedBlobTests
{
    /// <summary>A RHEL 8 UBI minimal image's Berkeley DB (many packages; libuuid's has one).</summary>
    private static string Rhel8 => Corpus.PathOf("inventory", "rpm", "rhel-8.0-ubi-minimal-scancode", "var", "lib", "rpm", "Packages");

    private const int SlotPageSize = 4096, SlotSize = 16, BlockSize = 16, NdbHeaderSize = 32;

    [Test]
    public void Berkeley_DB_items_that_all_name_one_overflow_chain_read_it_once()
    {
        var content = File.ReadAllBytes(Rhel8);
        var distinct = BerkeleyRpmDatabase.ReadHeaderBlobs(content).Count;
        var items = PointEveryBerkeleyItemAtTheFirstChain(content);
        Assert.That(items, Is.GreaterThan(1), "the sample has several off-page items");

        var blobs = BerkeleyRpmDatabase.ReadHeaderBlobs(content);

        TestContext.Out.WriteLine($"{items} items, {distinct} headers before; {blobs.Count} after");
        Assert.That(blobs, Has.Count.EqualTo(1));
        Assert.That(RpmHeaderParser.Parse(blobs[0]).Name, Is.Not.Empty);
    }

    [Test]
    public void Berkeley_DB_header_count_and_bytes_are_bounded()
    {
        var content = File.ReadAllBytes(Rhel8);
        var limits = SqliteRpmDatabaseLimits.Default;
        Assert.That(() => BerkeleyRpmDatabase.ReadHeaderBlobs(content, limits with { MaxRows = 1 }),
            Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo("Berkeley DB database: more than 1 package headers"));
        Assert.That(() => BerkeleyRpmDatabase.ReadHeaderBlobs(content, limits with { MaxBlobBytes = 1000 }),
            Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo("Berkeley DB database: the header blobs are larger than the limit of 1000 bytes"));
    }

    [Test]
    public void Berkeley_DB_chains_that_share_a_page_are_refused()
    {
        var content = File.ReadAllBytes(Rhel8);
        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(20));
        var items = OffPageItems(content, pageSize);
        Assert.That(items, Has.Count.GreaterThan(1));
        // The second item's chain starts with a page of its own, then goes on into the first item's chain.
        var (firstPage, _) = Chain(content, items[0]);
        var second = items[1];
        var secondFirst = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(second + 4));
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan((int)secondFirst * pageSize + 16), firstPage);
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(second + 8), (uint)(pageSize * 3));

        Assert.That(() => BerkeleyRpmDatabase.ReadHeaderBlobs(content),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains($"meets page {firstPage} a second time"));
    }

    [Test]
    public void Ndb_slots_that_all_name_one_blob_read_it_once()
    {
        var content = File.ReadAllBytes(RpmDatabaseTests.Sle15);
        var slots = UsedNdbSlots(content);
        Assert.That(slots, Has.Count.GreaterThan(1));
        var first = content.AsSpan(slots[0], SlotSize).ToArray();
        foreach (var slot in slots.Skip(1)) first.CopyTo(content, slot);

        var blobs = NdbRpmDatabase.ReadHeaderBlobs(content);

        TestContext.Out.WriteLine($"{slots.Count} slots; {blobs.Count} headers read");
        Assert.That(blobs, Has.Count.EqualTo(1));
    }

    [Test]
    public void Ndb_blobs_that_overlap_are_refused_and_counts_and_bytes_are_bounded()
    {
        var content = File.ReadAllBytes(RpmDatabaseTests.Sle15);
        var limits = SqliteRpmDatabaseLimits.Default;
        Assert.That(() => NdbRpmDatabase.ReadHeaderBlobs(content, limits with { MaxRows = 1 }),
            Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo("rpm ndb database: more than 1 package headers"));
        Assert.That(() => NdbRpmDatabase.ReadHeaderBlobs(content, limits with { MaxBlobBytes = 1000 }),
            Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo("rpm ndb database: the header blobs are larger than the limit of 1000 bytes"));

        // A second package's blob written inside the first one's data, and its slot pointed at it.
        var slots = UsedNdbSlots(content);
        var firstBlock = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(slots[0] + 8));
        var secondPackage = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(slots[1] + 4));
        var inside = (int)(firstBlock + 2) * BlockSize;
        "BlbS"u8.CopyTo(content.AsSpan(inside));
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(inside + 4), secondPackage);
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(inside + 12), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(slots[1] + 8), firstBlock + 2);

        Assert.That(() => NdbRpmDatabase.ReadHeaderBlobs(content), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("overlaps"));
    }

    /// <summary>Byte offsets of the off-page value items of every hash page.</summary>
    private static List<int> OffPageItems(byte[] content, int pageSize)
    {
        var items = new List<int>();
        for (var page = 1; page < content.Length / pageSize; page++)
        {
            var start = page * pageSize;
            if (content[start + 25] is not (13 or 2)) continue;
            var entries = BinaryPrimitives.ReadUInt16LittleEndian(content.AsSpan(start + 20));
            for (var i = 1; i < entries; i += 2)
            {
                var item = start + BinaryPrimitives.ReadUInt16LittleEndian(content.AsSpan(start + 26 + 2 * i));
                if (content[item] == 3) items.Add(item);
            }
        }
        return items;
    }

    private static (uint FirstPage, uint Length) Chain(byte[] content, int item) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(item + 4)), BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(item + 8)));

    private static int PointEveryBerkeleyItemAtTheFirstChain(byte[] content)
    {
        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(20));
        var items = OffPageItems(content, pageSize);
        var (firstPage, length) = Chain(content, items[0]);
        foreach (var item in items)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(item + 4), firstPage);
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(item + 8), length);
        }
        return items.Count;
    }

    private static List<int> UsedNdbSlots(byte[] content)
    {
        var slotsEnd = (int)BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(12)) * SlotPageSize;
        var slots = new List<int>();
        for (var at = NdbHeaderSize; at + SlotSize <= slotsEnd; at += SlotSize)
            if (BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(at + 4)) != 0) slots.Add(at);
        return slots;
    }
}
