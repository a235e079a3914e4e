using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.MongoOffline.Tests.Recording;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>
/// The largest documents the stores write, at the sizes real images reach, measured as the BSON the driver would send against
/// MongoDB's 16 MiB document limit: a scan of 10,000 findings and an inventory of 50,000 packages.
/// </summary>
public sealed class DocumentSizeTests
{
    private const int MongoDocumentLimit = 16 * 1024 * 1024;

    private static VulnerabilityFinding[] Findings(int count) =>
        Enumerable.Range(0, count).Select(i => Finding($"CVE-2024-{i:D5}", (FindingSeverity)(i % 5), $"package-{i % 4000:D4}")).ToArray();

    private static int LargestDocument(RecordingMongo mongo, string collection) =>
        mongo.WrittenTo(collection).Select(d => d.ToBson().Length).DefaultIfEmpty(0).Max();

    [Test]
    public async Task A_scan_of_ten_thousand_findings_is_stored_within_the_document_limit()
    {
        var mongo = new RecordingMongo();
        var store = new MongoFindingsStore(new MongoServiceDatabase(mongo.Database, "findings"));
        var scan = ScanStoreQueries.Record(Image(), Findings(10_000));
        await store.SaveScanAsync(scan);

        var largest = LargestDocument(mongo, MongoFindingsStore.ScansCollection);
        TestContext.Out.WriteLine($"10,000-finding scan: largest scans document {largest:N0} bytes ({100.0 * largest / MongoDocumentLimit:F1} % of 16 MiB)");
        Assert.That(largest, Is.InRange(1, MongoDocumentLimit));
        mongo.Reply(MongoFindingsStore.ScansCollection, [.. mongo.WrittenTo(MongoFindingsStore.ScansCollection)]);
        Assert.That((await store.GetScanAsync(ScanId))?.Findings, Has.Count.EqualTo(10_000), "and reads back whole");
    }

    [Test]
    public async Task An_inventory_of_fifty_thousand_packages_is_stored_within_the_document_limit()
    {
        var mongo = new RecordingMongo();
        var store = new MongoInventoryStore(new MongoServiceDatabase(mongo.Database, "scanners"));
        var inventory = InventoryStoreQueries.Inventory(50_000);
        await store.SaveAsync(inventory);

        var largest = LargestDocument(mongo, InventoryStoreQueries.Collection);
        TestContext.Out.WriteLine($"50,000-package inventory: largest inventories document {largest:N0} bytes ({100.0 * largest / MongoDocumentLimit:F1} % of 16 MiB)");
        Assert.That(largest, Is.InRange(1, MongoDocumentLimit));
        mongo.Reply(InventoryStoreQueries.Collection, [.. mongo.WrittenTo(InventoryStoreQueries.Collection)]);
        Assert.That((await store.GetAsync(inventory.Registry, inventory.Repository, inventory.Digest))?.Packages, Has.Count.EqualTo(50_000), "and reads back whole");
    }
}
