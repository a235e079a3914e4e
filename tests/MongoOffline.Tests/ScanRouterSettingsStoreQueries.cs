using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>Registry scanning configurations, re-scan durations and per-repository scan-on-push settings.</summary>
public sealed class ScanningConfigurationStoreQueries : StoreQueryFixture<IScanningConfigurationStore>
{
    private const string Registry = "123456789012";

    protected override IReadOnlyDictionary<string, string> ScansAllowed { get; } = new Dictionary<string, string>
    {
        [MongoScanningConfigurationStore.ConfigurationsCollection] = "one document per configured registry: listed whole by the continuous-scan sweep",
    };

    protected override IScanningConfigurationStore CreateStore(MongoServiceDatabase database) => new MongoScanningConfigurationStore(database, new FixedClock(T0));

    protected override IScanningConfigurationStore Join(IScanningConfigurationStore store, UnitOfWork work) => store.In(work);

    private static readonly RegistryScanningConfiguration Configuration = new(ScanType.ENHANCED,
        [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("prod/*", RepositoryFilterType.WILDCARD)])]);

    protected override async Task DriveAsync(IScanningConfigurationStore store)
    {
        await store.PutConfigurationAsync(Registry, Configuration);
        Mongo.Reply(MongoScanningConfigurationStore.ConfigurationsCollection, Mongo.WrittenTo(MongoScanningConfigurationStore.ConfigurationsCollection)[^1]);
        Assert.That(Json(await store.GetConfigurationAsync(Registry)), Is.EqualTo(Json(Configuration)), "the configuration reads back");
        await store.ListConfiguredRegistriesAsync();
        var rescan = new EcrRescanConfiguration(EcrRescanDuration.DAYS_30);
        await store.PutRescanConfigurationAsync(Registry, rescan, T0);
        Mongo.Reply(MongoScanningConfigurationStore.RescanConfigurationsCollection, Mongo.WrittenTo(MongoScanningConfigurationStore.RescanConfigurationsCollection)[^1]);
        Assert.That((await store.GetRescanConfigurationAsync(Registry)).Configuration, Is.EqualTo(rescan), "the re-scan duration reads back");
        await store.SetRepositoryScanOnPushAsync(Registry, "team/app", true);
        Mongo.Reply(MongoScanningConfigurationStore.RepositorySettingsCollection, Mongo.WrittenTo(MongoScanningConfigurationStore.RepositorySettingsCollection)[^1]);
        Assert.That(await store.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.True, "the repository setting reads back");
        await store.ListScanOnPushRepositoriesAsync(Registry);
    }

    protected override async Task DriveInWorkAsync(IScanningConfigurationStore joined, UnitOfWork work)
    {
        await joined.PutConfigurationAsync(Registry, Configuration);
        await joined.GetConfigurationAsync(Registry);
    }
}

/// <summary>The package index: which images hold which packages (what a NewCveAdded fans out over).</summary>
public sealed class PackageIndexStoreQueries : StoreQueryFixture<IPackageIndexStore>
{
    protected override IPackageIndexStore CreateStore(MongoServiceDatabase database) => new MongoPackageIndexStore(database);

    protected override IPackageIndexStore Join(IPackageIndexStore store, UnitOfWork work) => store.In(work);

    protected override async Task DriveAsync(IPackageIndexStore store)
    {
        await store.ReplaceImagePackagesAsync("123456789012", "team/app", DigestA, [new ImagePackageKey("Debian:12", "openssl"), new ImagePackageKey("PyPI", "PyYAML")]);
        await store.FindImagesHoldingAsync([new ImagePackageKey("Debian:12", "openssl")]);
    }

    protected override async Task DriveInWorkAsync(IPackageIndexStore joined, UnitOfWork work) =>
        await joined.ReplaceImagePackagesAsync("123456789012", "team/app", DigestB, [new ImagePackageKey("npm", "lodash")]);
}

/// <summary>Scan usage per registry and month (the quota).</summary>
public sealed class ScanUsageStoreQueries : StoreQueryFixture<IScanUsageStore>
{
    protected override IScanUsageStore CreateStore(MongoServiceDatabase database) => new MongoScanUsageStore(database);

    protected override IScanUsageStore Join(IScanUsageStore store, UnitOfWork work) => store.In(work);

    protected override async Task DriveAsync(IScanUsageStore store)
    {
        await store.TryRecordScanUsageAsync(ScanId, "123456789012", "team/app", ScanUsageKind.Initial, T0);
        await store.GetScanUsageAsync("123456789012", 2025, 3);
    }

    protected override async Task DriveInWorkAsync(IScanUsageStore joined, UnitOfWork work) =>
        await joined.TryRecordScanUsageAsync(Guid.Parse("22222222-0000-0000-0000-000000000001"), "123456789012", "team/app", ScanUsageKind.Rescan, T0);
}
