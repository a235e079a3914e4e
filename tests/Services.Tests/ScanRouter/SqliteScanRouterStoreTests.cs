using ImageScanning.ScanRouter.Data;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.ScanRouter;

[TestFixture]
public class SqliteScanRouterStoreTests : ScanRouterStoreContract
{
    private string _directory = null!;
    private SqliteScanRouterStore? _store;

    private string DatabasePath => Path.Combine(_directory, "scanrouter.db");

    protected override Task<IScanRouterStore> CreateStoreAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "scanrouter-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _store = new SqliteScanRouterStore(DatabasePath);
        return Task.FromResult<IScanRouterStore>(_store);
    }

    protected override Task DestroyStoreAsync() => Task.CompletedTask;

    [TearDown]
    public void DeleteDatabase()
    {
        _store?.Dispose(); // closes the pooled connections, so the files can go
        _store = null;
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

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
        await Store.UpsertImageAsync(Image("app", DigestA, ["v1"]));
        await Store.TryRecordDeliveryAsync("delivery-1", T0);
        _store!.Dispose();

        using var reopened = new SqliteScanRouterStore(DatabasePath);
        Assert.That((await reopened.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.EqualTo(new[] { "v1" }));
        Assert.That(await reopened.TryRecordDeliveryAsync("delivery-1", T0), Is.False);
    }

    [Test]
    public async Task Parallel_stores_on_one_file_share_the_delivery_and_quota_guards()
    {
        // Two store instances (as two hosts on one file would) racing: still exactly one winner each.
        using var second = new SqliteScanRouterStore(DatabasePath);
        await Store.UpsertImageAsync(Image("app", DigestA));
        var stores = new IScanRouterStore[] { Store, second };

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].TryRecordDeliveryAsync("d", T0))));
        var reservations = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].TryReserveBasicScanAsync(Registry, "app", DigestA, T0))));

        Assert.That(deliveries.Count(won => won), Is.EqualTo(1));
        Assert.That(reservations.Count(won => won), Is.EqualTo(1));
    }
}
