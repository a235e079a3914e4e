using ImageScanning.ScanRouter.Data;
using MongoDB.Bson;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>
/// Offline (no server): the package index's stored documents for a 50,000-package image, serialised by the driver's own BSON
/// writer, measured against MongoDB's 16 MiB document limit.
/// </summary>
[TestFixture]
public sealed class MongoDocumentSizeTests
{
    private const int MongoDocumentLimit = 16 * 1024 * 1024;

    [TestCase(0)]
    [TestCase(150)] // names near npm's 214-character maximum
    public void Every_chunk_of_a_fifty_thousand_package_image_is_far_below_the_document_limit(int padding)
    {
        var keys = PackageIndexStoreContract.LargeImageKeys(padding: padding).Select(MongoPackageIndexStore.Encode).ToList();
        var chunks = MongoPackageIndexStore.Chunk(keys);
        var sizes = chunks.Select((chunk, i) =>
            MongoPackageIndexStore.ChunkDocument("123456789012", "team/node", "sha256:" + new string('a', 64), i, chunk).ToBson().Length).ToList();
        var single = MongoPackageIndexStore.ChunkDocument("123456789012", "team/node", "sha256:" + new string('a', 64), 0, keys).ToBson().Length;
        TestContext.Out.WriteLine($"padding {padding}: {chunks.Count} chunk(s), largest {sizes.Max()} bytes; as one document {single} bytes; limit {MongoDocumentLimit}");

        Assert.That(chunks.SelectMany(c => c), Is.EqualTo(keys.Order(StringComparer.Ordinal)), "every key in exactly one chunk, in order");
        Assert.That(sizes, Has.All.LessThan(MongoPackageIndexStore.MaxChunkKeyBytes * 2), "a chunk's BSON is its key bytes plus a small per-element overhead");
        Assert.That(sizes, Has.All.LessThan(MongoDocumentLimit));
    }

    [Test]
    public void Keys_past_the_limit_of_one_document_are_split_not_rejected()
    {
        // 100,000 long names: one document would exceed 16 MiB; the chunks each stay near 1 MiB.
        var keys = PackageIndexStoreContract.LargeImageKeys(100_000, padding: 150).Select(MongoPackageIndexStore.Encode).ToList();
        var single = MongoPackageIndexStore.ChunkDocument("r", "app", "d", 0, keys).ToBson().Length;
        var chunks = MongoPackageIndexStore.Chunk(keys);
        Assert.That(single, Is.GreaterThan(MongoDocumentLimit), "the unsplit document MongoDB would refuse");
        Assert.That(chunks.Max(c => MongoPackageIndexStore.ChunkDocument("r", "app", "d", 0, c).ToBson().Length), Is.LessThan(MongoDocumentLimit));
    }

    [Test]
    public void A_single_key_longer_than_a_chunk_is_an_error_naming_the_limit()
    {
        var huge = "npm\u001F" + new string('n', MongoPackageIndexStore.MaxChunkKeyBytes);
        Assert.That(() => MongoPackageIndexStore.Chunk([huge]),
            Throws.ArgumentException.With.Message.Contains("MaxChunkKeyBytes").And.Message.Contains(MongoPackageIndexStore.MaxChunkKeyBytes.ToString()));
    }

    [Test]
    public void Chunks_hold_the_keys_in_ordinal_order_and_an_empty_set_has_none()
    {
        Assert.That(MongoPackageIndexStore.Chunk([]), Is.Empty);
        var chunks = MongoPackageIndexStore.Chunk(["b", "a", "c", "d"], maxChunkKeyBytes: 2);
        Assert.That(chunks, Is.EqualTo(new[] { new[] { "a", "b" }, new[] { "c", "d" } }));
    }
}
