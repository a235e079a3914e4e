using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>What only the SQLite file does: its journal, its life across restarts and processes, and files of the previous version.</summary>
[TestFixture]
public sealed class SqliteScanRouterDatabaseTests() : ScanRouterStoreFixture(StoreBackend.Sqlite)
{
    [Test]
    public void Database_uses_the_wal_journal()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.That(command.ExecuteScalar(), Is.EqualTo("wal"));
    }

    [Test]
    public async Task Data_survives_reopening_the_file()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1"]));
        await Catalog.TryRecordDeliveryAsync("delivery-1", T0);
        SqliteConnection.ClearAllPools();

        OpenSqlite();
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.EqualTo(new[] { "v1" }));
        Assert.That(await Catalog.TryRecordDeliveryAsync("delivery-1", T0), Is.False);
    }

    [Test]
    public async Task Parallel_stores_on_one_file_share_the_delivery_and_quota_guards()
    {
        // Two databases on one file (as two hosts would) racing: still exactly one winner each.
        var second = new SqliteImageCatalogStore(new SqliteDatabase(DatabasePath));
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        var stores = new[] { Catalog, second };

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].TryRecordDeliveryAsync("d", T0))));
        var reservations = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].TryReserveBasicScanAsync(Registry, "app", DigestA, T0))));

        Assert.That(deliveries.Count(won => won), Is.EqualTo(1));
        Assert.That(reservations.Count(won => won), Is.EqualTo(1));
    }

    [Test]
    public async Task A_file_of_the_previous_version_gets_the_dispatch_columns_and_keeps_its_images()
    {
        var legacy = Path.Combine(Path.GetDirectoryName(DatabasePath)!, "legacy", "scanrouter.db");
        Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
        var scanId = Guid.NewGuid();
        await using (var connection = new SqliteConnection($"Data Source={legacy};Pooling=False"))
        {
            connection.Open();
            await using var command = connection.CreateCommand();
            // The images table as the single-store version created it, with one image waiting for its scan.
            command.CommandText = $"""
                CREATE TABLE images (
                    registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, tags TEXT NOT NULL, media_type TEXT NOT NULL,
                    pushed_at INTEGER NOT NULL, last_pulled_at INTEGER, scan_status TEXT, scan_status_description TEXT,
                    scan_status_at INTEGER, last_scan_id TEXT, last_basic_scan_at INTEGER, updated_at INTEGER NOT NULL,
                    PRIMARY KEY (registry, repository, digest)) WITHOUT ROWID;
                INSERT INTO images VALUES ('{Registry}', 'app', '{DigestA}', '["v1"]', 'application/vnd.oci.image.manifest.v1+json',
                    {T0.ToUnixTimeMilliseconds()}, NULL, 'IN_PROGRESS', 'The scan is in progress.', {T0.ToUnixTimeMilliseconds()}, '{scanId:D}', NULL,
                    {T0.ToUnixTimeMilliseconds()});
                """;
            await command.ExecuteNonQueryAsync();
        }

        var catalog = new SqliteImageCatalogStore(new SqliteDatabase(legacy));

        var image = await catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(image.CurrentScan, Is.Null, "sent before dispatches were recorded");
        var waiting = await catalog.ListInProgressScansAsync(T0.AddMinutes(15), 10);
        Assert.That(waiting.Select(i => i.LastScanId), Is.EqualTo(new Guid?[] { scanId }), "its status time is its clock");
        var next = new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 2, T0.AddMinutes(20));
        Assert.That(await catalog.TryRedispatchScanAsync(Registry, "app", DigestA, scanId, 0, next), Is.True, "a legacy row counts 0 dispatches");
        Assert.That((await catalog.GetImageAsync(Registry, "app", DigestA))!.CurrentScan, Is.EqualTo(next));
    }
}
