using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>Re-scan configuration, pull dates, eligibility expiry and usage counting.</summary>
public abstract partial class ScanRouterStoreContract
{
    [Test]
    public async Task Rescan_configuration_defaults_to_fourteen_days_and_round_trips_per_registry()
    {
        var initial = await Store.GetRescanConfigurationAsync(Registry);
        Assert.That(initial.Configuration, Is.EqualTo(new EcrRescanConfiguration(EcrRescanDuration.DAYS_14)));
        Assert.That(initial.UpdatedAt, Is.Null);

        var configuration = new EcrRescanConfiguration(EcrRescanDuration.LIFETIME, EcrPullDateRescanDuration.DAYS_30, EcrPullDateRescanMode.LAST_PULL_DATE);
        await Store.PutRescanConfigurationAsync(Registry, configuration, T0);
        await Store.PutRescanConfigurationAsync("other", new EcrRescanConfiguration(EcrRescanDuration.DAYS_3), T0);

        var stored = await Store.GetRescanConfigurationAsync(Registry);
        Assert.That(stored.Configuration, Is.EqualTo(configuration));
        Assert.That(stored.UpdatedAt, Is.EqualTo(T0));
        Assert.That((await Store.GetRescanConfigurationAsync("other")).Configuration.RescanDuration, Is.EqualTo(EcrRescanDuration.DAYS_3));

        await Store.PutRescanConfigurationAsync(Registry, new EcrRescanConfiguration(EcrRescanDuration.DAYS_7), T0.AddHours(1));
        var replaced = await Store.GetRescanConfigurationAsync(Registry);
        Assert.That(replaced.Configuration, Is.EqualTo(new EcrRescanConfiguration(EcrRescanDuration.DAYS_7)), "a put replaces, optional members included");
    }

    [Test]
    public async Task Configured_registries_are_listed_in_ordinal_order()
    {
        await Store.PutConfigurationAsync("b-registry", new RegistryScanningConfiguration(ScanType.ENHANCED, []));
        await Store.PutConfigurationAsync("A-registry", new RegistryScanningConfiguration(ScanType.BASIC, []));

        Assert.That(await Store.ListConfiguredRegistriesAsync(), Is.EqualTo(new[] { "A-registry", "b-registry" }));
    }

    [Test]
    public async Task A_pull_moves_the_last_pull_date_forward_only_and_needs_a_catalogued_image()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));

        Assert.That(await Store.RecordPullAsync(Registry, "app", DigestA, T0.AddDays(2)), Is.True);
        Assert.That(await Store.RecordPullAsync(Registry, "app", DigestA, T0.AddDays(1)), Is.True);
        Assert.That(await Store.RecordPullAsync(Registry, "app", DigestB, T0.AddDays(1)), Is.False);

        var image = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.LastPulledAt, Is.EqualTo(T0.AddDays(2)));
    }

    [Test]
    public async Task An_image_expires_exactly_once()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));
        await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "done", Guid.NewGuid(), T0);

        Assert.That(await Store.TryExpireImageAsync(Registry, "app", DigestA, T0.AddDays(20)), Is.True);
        Assert.That(await Store.TryExpireImageAsync(Registry, "app", DigestA, T0.AddDays(21)), Is.False);
        Assert.That(await Store.TryExpireImageAsync(Registry, "app", DigestB, T0.AddDays(21)), Is.False, "not catalogued");

        var image = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.SCAN_ELIGIBILITY_EXPIRED));
        Assert.That(image.ScanStatusAt, Is.EqualTo(T0.AddDays(20)));
    }

    [Test]
    public async Task Usage_counts_each_scan_once_per_month_and_repository()
    {
        var march = new DateTimeOffset(2025, 3, 31, 23, 59, 0, TimeSpan.Zero);
        var scan = Guid.NewGuid();
        Assert.That(await Store.TryRecordScanUsageAsync(scan, Registry, "app", ScanUsageKind.Initial, march), Is.True);
        Assert.That(await Store.TryRecordScanUsageAsync(scan, Registry, "app", ScanUsageKind.Initial, march), Is.False, "a redelivered scan");
        await Store.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "app", ScanUsageKind.Rescan, march);
        await Store.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "app", ScanUsageKind.Rescan, march);
        await Store.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "Web", ScanUsageKind.Initial, march);
        await Store.TryRecordScanUsageAsync(Guid.NewGuid(), Registry, "app", ScanUsageKind.Rescan, march.AddMinutes(2));
        await Store.TryRecordScanUsageAsync(Guid.NewGuid(), "other", "app", ScanUsageKind.Rescan, march);

        var usage = await Store.GetScanUsageAsync(Registry, 2025, 3);
        Assert.That(usage, Is.EqualTo(new[] { new RepositoryUsageCount("Web", 1, 0), new RepositoryUsageCount("app", 1, 2) }));
        Assert.That(await Store.GetScanUsageAsync(Registry, 2025, 4), Is.EqualTo(new[] { new RepositoryUsageCount("app", 0, 1) }));
        Assert.That(await Store.GetScanUsageAsync(Registry, 2025, 2), Is.Empty);
    }
}
