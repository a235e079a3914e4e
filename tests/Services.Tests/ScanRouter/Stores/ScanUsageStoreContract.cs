using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Every behaviour of <see cref="IScanUsageStore"/>, on SQLite and on MongoDB.</summary>
[TestFixture(StoreBackend.Sqlite)]
[TestFixture(StoreBackend.MongoDB)]
public sealed class ScanUsageStoreContract(StoreBackend backend) : ScanRouterStoreFixture(backend)
{
    [Test]
    public async Task Usage_counts_each_scan_once_per_month_and_repository()
    {
        var march = new DateTimeOffset(2025, 3, 31, 23, 59, 0, TimeSpan.Zero);
        var scan = Guid.NewGuid();
        Assert.That(await Usage.TryRecordScanUsageAsync(scan, Registry, "app", ScanUsageKind.Initial, march), Is.True);
        Assert.That(await Usage.TryRecordScanUsageAsync(scan, Registry, "app", ScanUsageKind.Initial, march), Is.False, "a redelivered scan");
        await Usage.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "app", ScanUsageKind.Rescan, march);
        await Usage.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "app", ScanUsageKind.Rescan, march);
        await Usage.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "Web", ScanUsageKind.Initial, march);
        await Usage.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "app", ScanUsageKind.Rescan, march.AddMinutes(2));
        await Usage.TryRecordScanUsageAsync(Guid.NewGuid(), "other", "app", ScanUsageKind.Rescan, march);

        var usage = await Usage.GetScanUsageAsync(Registry, 2025, 3);
        Assert.That(usage, Is.EqualTo(new[] { new RepositoryUsageCount("Web", 1, 0), new RepositoryUsageCount("app", 1, 2) }));
        Assert.That(await Usage.GetScanUsageAsync(Registry, 2025, 4), Is.EqualTo(new[] { new RepositoryUsageCount("app", 0, 1) }));
        Assert.That(await Usage.GetScanUsageAsync(Registry, 2025, 2), Is.Empty);
    }

    [Test]
    public async Task Two_store_instances_racing_on_one_scan_count_it_once()
    {
        var second = (await OpenSecondInstanceAsync()).Usage;
        var stores = new[] { Usage, second };
        var scan = Guid.NewGuid();
        var at = new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero);
        var counted = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => stores[i % 2].TryRecordScanUsageAsync(scan, Registry, "app", ScanUsageKind.Initial, at))));

        Assert.That(counted.Count(c => c), Is.EqualTo(1));
        Assert.That(await second.GetScanUsageAsync(Registry, 2025, 3), Is.EqualTo(new[] { new RepositoryUsageCount("app", 1, 0) }));
    }
}
