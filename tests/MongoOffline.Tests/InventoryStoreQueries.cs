using ImageScanning.ScanEngine.Model;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>The scanners' stored inventories (what a re-scan matches against without pulling the image again).</summary>
public sealed class InventoryStoreQueries : StoreQueryFixture<IInventoryStore>
{
    public const string Collection = "inventories";

    protected override IInventoryStore CreateStore(MongoServiceDatabase database) => new MongoInventoryStore(database);

    protected override IInventoryStore Join(IInventoryStore store, UnitOfWork work) => store.In(work);

    public static StoredInventory Inventory(int packages, char digest = 'a') =>
        new("registry.example", "team/app", "sha256:" + new string(digest, 64), "scanner 1.0",
            new Distribution("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)"),
            Enumerable.Range(0, packages).Select(i => new Package
            {
                Name = $"package-{i:D5}", Version = $"1.{i % 97}.{i % 13}-1+deb12u{i % 7}", Type = "deb", SourceName = $"source-{i / 3:D5}",
                SourceVersion = $"1.{i % 97}.{i % 13}-1+deb12u{i % 7}", Architecture = "amd64", FilePath = "var/lib/dpkg/status",
                LayerDigest = "sha256:" + new string((char)('0' + i % 10), 64),
            }).ToList(),
            "application/vnd.oci.image.manifest.v1+json", T0);

    protected override async Task DriveAsync(IInventoryStore store)
    {
        var inventory = Inventory(3);
        await store.SaveAsync(inventory);
        Mongo.Reply(Collection, Mongo.WrittenTo(Collection)[^1]);
        Assert.That(Json(await store.GetAsync(inventory.Registry, inventory.Repository, inventory.Digest)), Is.EqualTo(Json(inventory)), "the inventory reads back");
    }

    protected override async Task DriveInWorkAsync(IInventoryStore joined, UnitOfWork work)
    {
        await joined.SaveAsync(Inventory(2, 'b'));
        await joined.GetAsync("registry.example", "team/app", "sha256:" + new string('b', 64));
    }
}
