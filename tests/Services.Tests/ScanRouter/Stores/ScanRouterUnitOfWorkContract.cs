using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Outbox;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>
/// The four stores joined with one unit of work of the scanrouter database: their writes, the outbox rows and the inbox mark commit
/// together or not at all, and reads through the work see its own writes. On SQLite and on MongoDB (a replica set).
/// </summary>
[TestFixture(StoreBackend.Sqlite)]
[TestFixture(StoreBackend.MongoDB)]
public sealed class ScanRouterUnitOfWorkContract(StoreBackend backend) : ScanRouterStoreFixture(backend)
{
    private static readonly ImagePackageKey OpenSsl = new("Debian:12", "openssl");

    /// <summary>A write to each store, an outbox message and an inbox mark, in <paramref name="work"/>.</summary>
    private static async Task WriteEverywhereAsync(ServiceDefaults.Storage.UnitOfWork work, IScanningConfigurationStore configuration,
        IImageCatalogStore catalog, IPackageIndexStore packageIndex, IScanUsageStore usage, Guid scanId)
    {
        Assert.That(await work.TryMarkHandledAsync("Test", scanId, CancellationToken.None), Is.True);
        await configuration.In(work).SetRepositoryScanOnPushAsync(Registry, "app", true);
        Assert.That(await catalog.In(work).TryRecordDeliveryAsync("delivery-1", T0), Is.True);
        await catalog.In(work).UpsertImageAsync(Image("app", DigestA, ["v1"]));
        Assert.That(await catalog.In(work).StartScanAsync(Registry, "app", DigestA, scanId, new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 1, T0)), Is.True);
        await packageIndex.In(work).ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl]);
        Assert.That(await usage.In(work).TryRecordScanUsageAsync(scanId, Registry, "app", ScanUsageKind.Initial, T0), Is.True);
        work.Send(QueueNames.BasicScanner, new ScanImage(scanId, new ImageRef(Registry, "app", DigestA, ["v1"]), ScanType.BASIC, ScanTrigger.PUSH, T0));
    }

    [Test]
    public async Task A_work_disposed_without_commit_leaves_nothing_in_any_store()
    {
        var scanId = Guid.NewGuid();
        await using (var work = await Database.BeginAsync())
        {
            await WriteEverywhereAsync(work, Configuration, Catalog, PackageIndex, Usage, scanId);
            Assert.That((await Catalog.In(work).GetImageAsync(Registry, "app", DigestA))?.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS), "the work sees its own writes");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Configuration.GetRepositoryScanOnPushAsync(Registry, "app"), Is.False);
            Assert.That(await Catalog.GetImageAsync(Registry, "app", DigestA), Is.Null);
            Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.Empty);
            Assert.That(await Usage.GetScanUsageAsync(Registry, 2025, 3), Is.Empty);
            Assert.That(await Database.Outbox.IsHandledAsync("Test", scanId), Is.False);
            Assert.That((await Database.Outbox.GetStatusAsync()).Pending, Is.Zero);
            Assert.That(await Catalog.TryRecordDeliveryAsync("delivery-1", T0), Is.True, "the delivery id was forgotten with the rest");
        });
    }

    [Test]
    public async Task A_committed_work_holds_every_write_its_message_and_its_mark()
    {
        var scanId = Guid.NewGuid();
        await using (var work = await Database.BeginAsync())
        {
            await WriteEverywhereAsync(work, Configuration, Catalog, PackageIndex, Usage, scanId);
            await work.CommitAsync(CancellationToken.None);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Configuration.GetRepositoryScanOnPushAsync(Registry, "app"), Is.True);
            var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
            Assert.That(image?.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(image?.LastScanId, Is.EqualTo(scanId));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.EqualTo(new[] { new ImageKey(Registry, "app", DigestA) }));
            Assert.That(await Usage.GetScanUsageAsync(Registry, 2025, 3), Is.EqualTo(new[] { new RepositoryUsageCount("app", 1, 0) }));
            Assert.That(await Database.Outbox.IsHandledAsync("Test", scanId), Is.True);
            Assert.That((await Database.Outbox.GetStatusAsync()).Pending, Is.EqualTo(1));
            Assert.That(await Catalog.TryRecordDeliveryAsync("delivery-1", T0), Is.False);
        });
    }

    [Test]
    public async Task A_second_work_with_the_same_key_finds_it_handled()
    {
        var key = Guid.NewGuid();
        await using (var first = await Database.BeginAsync())
        {
            Assert.That(await first.TryMarkHandledAsync(ConsumerUnitOfWork.ConsumerName<ScanRouterUnitOfWorkContract>(), key, CancellationToken.None), Is.True);
            await first.CommitAsync(CancellationToken.None);
        }
        await using var second = await Database.BeginAsync();
        Assert.That(await second.TryMarkHandledAsync(ConsumerUnitOfWork.ConsumerName<ScanRouterUnitOfWorkContract>(), key, CancellationToken.None), Is.False);
        Assert.That(second.AlreadyHandled, Is.True);
    }
}
