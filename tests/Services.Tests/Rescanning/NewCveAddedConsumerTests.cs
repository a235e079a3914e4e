using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Rescanning;
using ImageScanning.Services.Tests.ScanRouter;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Rescanning;

/// <summary>The re-scan fan-out on MassTransit's in-memory harness with the real SQLite stores, their outbox and a set clock.</summary>
public sealed class NewCveAddedConsumerTests
{
    private const string Enhanced = "enhanced";
    private const string Basic = "basic";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ImagePackageKey OpenSsl = new("Debian:12", "openssl");
    private static readonly NewCveAdded OpenSslAdvisory = new("CVE-2026-0001", ["DSA-9999-1"], [new AffectedPackageRef("Debian:12", "openssl")], Now);

    private string _directory = "";
    private ScanRouterHost _router = null!;
    private ITestHarness _harness = null!;
    private ManualClock _clock = null!;
    private MeterListener _listener = null!;
    private readonly List<string> _outcomes = [];

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-rescan-").FullName;
        _clock = new ManualClock(Now);
        _router = await ScanRouterHost.StartAsync(_directory, x => x.AddConsumer<NewCveAddedConsumer, NewCveAddedConsumerDefinition>(), clock: _clock);
        _harness = _router.Harness;

        _outcomes.Clear();
        _listener = new MeterListener();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "imagescanning.router.rescans") listener.EnableMeasurementEvents(instrument);
        };
        // One entry per image counted (the fan-out adds each outcome's count once, after its commit).
        _listener.SetMeasurementEventCallback<long>((_, count, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "outcome") lock (_outcomes) _outcomes.AddRange(Enumerable.Repeat((string)tag.Value!, (int)count));
        });
        _listener.Start();

        await _router.Configuration.PutConfigurationAsync(Enhanced, new RegistryScanningConfiguration(ScanType.ENHANCED,
        [
            new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("cont/*", RepositoryFilterType.WILDCARD)]),
            new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("push/*", RepositoryFilterType.WILDCARD)]),
        ]));
        await _router.Configuration.PutConfigurationAsync(Basic, new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]));
    }

    [TearDown]
    public async Task StopAsync()
    {
        _listener.Dispose();
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private static string Digest(char c) => "sha256:" + new string(c, 64);

    /// <summary>A scanned image holding openssl, pushed <paramref name="pushedDaysAgo"/> days ago.</summary>
    private async Task CatalogueAsync(string registry, string repository, char digest, double pushedDaysAgo, double? pulledDaysAgo = null)
    {
        var pushedAt = Now.AddDays(-pushedDaysAgo);
        await _router.Catalog.UpsertImageAsync(new ImageRecord(registry, repository, Digest(digest), ["v1"], "application/vnd.oci.image.manifest.v1+json",
            pushedAt, null, null, null, null, null, pushedAt));
        await _router.Catalog.SetScanStatusAsync(registry, repository, Digest(digest), ScanStatus.COMPLETE, "done", Guid.NewGuid(), pushedAt.AddMinutes(1));
        await _router.PackageIndex.ReplaceImagePackagesAsync(registry, repository, Digest(digest), [OpenSsl, new ImagePackageKey("Debian:12", "zlib")]);
        if (pulledDaysAgo is { } pulled) await _router.Catalog.RecordPullAsync(registry, repository, Digest(digest), Now.AddDays(-pulled));
    }

    private async Task PublishAndWaitAsync(NewCveAdded advisory)
    {
        var consumer = _harness.GetConsumerHarness<NewCveAddedConsumer>();
        var before = consumer.Consumed.Select<NewCveAdded>().Count();
        await _harness.Bus.Publish(advisory);
        for (var i = 0; i < 100 && consumer.Consumed.Select<NewCveAdded>().Count() <= before; i++) await Task.Delay(50);
        await _router.OutboxDrainedAsync();
        Assert.That(consumer.Consumed.Select<NewCveAdded>().Count(), Is.EqualTo(before + 1));
        Assert.That(consumer.Consumed.Select<NewCveAdded>().Any(c => c.Exception is not null), Is.False, "the consumer did not fail");
    }

    private List<(ScanImage Scan, Uri? Destination)> Rescans() =>
        _harness.Sent.Select<ScanImage>().Select(s => (s.Context.Message, s.Context.DestinationAddress)).ToList();

    private List<ScanEligibilityExpired> Expiries() => _harness.Published.Select<ScanEligibilityExpired>().Select(p => p.Context.Message).ToList();

    [Test]
    public async Task An_eligible_continuous_image_holding_the_package_gets_a_rescan_on_the_rescan_queue()
    {
        await CatalogueAsync(Enhanced, "cont/api", 'a', pushedDaysAgo: 2);
        await CatalogueAsync(Enhanced, "cont/api", 'b', pushedDaysAgo: 2);
        await _router.PackageIndex.ReplaceImagePackagesAsync(Enhanced, "cont/api", Digest('b'), [new ImagePackageKey("Debian:12", "zlib")]);

        await PublishAndWaitAsync(OpenSslAdvisory);

        var sent = Rescans();
        Assert.That(sent, Has.Count.EqualTo(1), "only the image holding openssl");
        Assert.Multiple(() =>
        {
            Assert.That(sent[0].Scan.Image.Digest, Is.EqualTo(Digest('a')));
            Assert.That(sent[0].Scan.Trigger, Is.EqualTo(ScanTrigger.RESCAN));
            Assert.That(sent[0].Scan.ScanType, Is.EqualTo(ScanType.ENHANCED));
            Assert.That(sent[0].Destination!.AbsolutePath, Does.EndWith(QueueNames.EnhancedRescanner));
            Assert.That(Expiries(), Is.Empty);
            Assert.That(_outcomes, Is.EqualTo(new[] { "sent" }));
        });
    }

    [Test]
    public async Task Scan_on_push_and_manual_repositories_and_basic_registries_are_not_rescanned()
    {
        await CatalogueAsync(Enhanced, "push/api", 'a', pushedDaysAgo: 1);
        await CatalogueAsync(Enhanced, "other/api", 'b', pushedDaysAgo: 1);
        await CatalogueAsync(Basic, "cont/api", 'c', pushedDaysAgo: 1);

        await PublishAndWaitAsync(OpenSslAdvisory);

        Assert.That(Rescans(), Is.Empty);
        Assert.That(Expiries(), Is.Empty);
        Assert.That(_outcomes, Is.EqualTo(new[] { "not_eligible", "not_eligible", "not_eligible" }));
    }

    [Test]
    public async Task An_image_past_its_push_window_expires_once_and_is_not_rescanned()
    {
        await CatalogueAsync(Enhanced, "cont/old", 'a', pushedDaysAgo: 15);

        await PublishAndWaitAsync(OpenSslAdvisory);
        await PublishAndWaitAsync(OpenSslAdvisory with { VulnerabilityId = "CVE-2026-0002" });

        Assert.That(Rescans(), Is.Empty);
        var expiries = Expiries();
        Assert.That(expiries, Has.Count.EqualTo(1), "published once, however many advisories see the image");
        Assert.That(expiries[0].Image.Digest, Is.EqualTo(Digest('a')));
        Assert.That(expiries[0].ExpiredAt, Is.EqualTo(Now));
        var image = await _router.Catalog.GetImageAsync(Enhanced, "cont/old", Digest('a'));
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.SCAN_ELIGIBILITY_EXPIRED));
    }

    [Test]
    public async Task A_recent_pull_keeps_an_old_image_in_its_window()
    {
        await _router.Configuration.PutRescanConfigurationAsync(Enhanced,
            new EcrRescanConfiguration(EcrRescanDuration.DAYS_14, EcrPullDateRescanDuration.DAYS_7, EcrPullDateRescanMode.LAST_PULL_DATE), Now);
        await CatalogueAsync(Enhanced, "cont/pulled", 'a', pushedDaysAgo: 60, pulledDaysAgo: 3);
        await CatalogueAsync(Enhanced, "cont/stale", 'b', pushedDaysAgo: 60, pulledDaysAgo: 8);

        await PublishAndWaitAsync(OpenSslAdvisory);

        Assert.That(Rescans().Select(r => r.Scan.Image.Repository), Is.EqualTo(new[] { "cont/pulled" }));
        Assert.That(Expiries().Select(e => e.Image.Repository), Is.EqualTo(new[] { "cont/stale" }));
    }

    [Test]
    public async Task Lifetime_keeps_every_image_eligible()
    {
        await _router.Configuration.PutRescanConfigurationAsync(Enhanced, new EcrRescanConfiguration(EcrRescanDuration.LIFETIME), Now);
        await CatalogueAsync(Enhanced, "cont/ancient", 'a', pushedDaysAgo: 3650);

        await PublishAndWaitAsync(OpenSslAdvisory);

        Assert.That(Rescans(), Has.Count.EqualTo(1));
        Assert.That(Expiries(), Is.Empty);
    }

    [Test]
    public async Task The_sweep_expires_images_whose_window_passed_without_a_new_advisory()
    {
        await CatalogueAsync(Enhanced, "cont/a", 'a', pushedDaysAgo: 10);
        await CatalogueAsync(Enhanced, "push/b", 'b', pushedDaysAgo: 10);
        await CatalogueAsync(Enhanced, "other/c", 'c', pushedDaysAgo: 30);
        await CatalogueAsync(Basic, "cont/d", 'd', pushedDaysAgo: 30);
        var sweep = _router.Services.GetServices<IHostedService>().OfType<RescanExpirySweep>().Single();

        Assert.That(await sweep.SweepOnceAsync(CancellationToken.None), Is.Zero, "still inside DAYS_14");
        _clock.Now = Now.AddDays(5);
        Assert.That(await sweep.SweepOnceAsync(CancellationToken.None), Is.EqualTo(2), "the continuous and the on-push image");
        Assert.That(await sweep.SweepOnceAsync(CancellationToken.None), Is.Zero, "expired once");
        await _router.OutboxDrainedAsync();

        Assert.That(Expiries().Select(e => e.Image.Repository).Order(), Is.EqualTo(new[] { "cont/a", "push/b" }));
        Assert.That((await _router.Catalog.GetImageAsync(Enhanced, "other/c", Digest('c')))!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE), "not covered: never expires");
        Assert.That((await _router.Catalog.GetImageAsync(Basic, "cont/d", Digest('d')))!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
    }

    [Test]
    public async Task A_longer_duration_does_not_reactivate_an_expired_image_but_a_later_pull_does()
    {
        await _router.Configuration.PutRescanConfigurationAsync(Enhanced, new EcrRescanConfiguration(EcrRescanDuration.DAYS_3, EcrPullDateRescanDuration.DAYS_7), Now);
        await CatalogueAsync(Enhanced, "cont/app", 'a', pushedDaysAgo: 5);
        await PublishAndWaitAsync(OpenSslAdvisory);
        Assert.That(Expiries(), Has.Count.EqualTo(1));

        await _router.Configuration.PutRescanConfigurationAsync(Enhanced, new EcrRescanConfiguration(EcrRescanDuration.DAYS_30, EcrPullDateRescanDuration.DAYS_7), Now);
        _clock.Now = Now.AddMinutes(1);
        await PublishAndWaitAsync(OpenSslAdvisory with { VulnerabilityId = "CVE-2026-0002" });
        Assert.That(Rescans(), Is.Empty, "§2.3: increasing the duration reactivates nothing");

        await _router.Catalog.RecordPullAsync(Enhanced, "cont/app", Digest('a'), Now.AddMinutes(2));
        _clock.Now = Now.AddMinutes(3);
        await PublishAndWaitAsync(OpenSslAdvisory with { VulnerabilityId = "CVE-2026-0003" });
        Assert.That(Rescans(), Has.Count.EqualTo(1), "pulled after it expired, inside the pull window");
    }

    [Test]
    public async Task A_redelivered_advisory_sends_its_rescans_once()
    {
        await CatalogueAsync(Enhanced, "cont/api", 'a', pushedDaysAgo: 2);
        var messageId = NewId.NextGuid();

        await _router.PublishAndWaitAsync<NewCveAddedConsumer, NewCveAdded>(OpenSslAdvisory, messageId);
        await _router.PublishAndWaitAsync<NewCveAddedConsumer, NewCveAdded>(OpenSslAdvisory, messageId);

        Assert.That(Rescans(), Has.Count.EqualTo(1), "the copy found its inbox mark; without it the image was eligible again");
        Assert.That(_outcomes, Is.EqualTo(new[] { "sent" }));
    }

    [Test]
    public async Task An_advisory_whose_work_fails_expires_and_sends_nothing_until_its_retry_does_it_all_once()
    {
        await CatalogueAsync(Enhanced, "cont/api", 'a', pushedDaysAgo: 2);
        await CatalogueAsync(Enhanced, "cont/old", 'b', pushedDaysAgo: 15);
        // The expiry fails inside the advisory's unit of work, after the re-scan of cont/api was queued in it.
        await ExecuteAsync("""
            CREATE TRIGGER fail_expiry BEFORE UPDATE OF scan_status ON images WHEN NEW.scan_status = 'SCAN_ELIGIBILITY_EXPIRED'
            BEGIN SELECT RAISE(ABORT, 'injected: the expiry failed'); END;
            """);

        await _harness.Bus.Publish(OpenSslAdvisory);
        var consumer = _harness.GetConsumerHarness<NewCveAddedConsumer>();
        await ScanRouterHost.WaitUntilAsync(() => Task.FromResult(consumer.Consumed.Select<NewCveAdded>(m => m.Exception is not null).Any()), "the advisory failed once");
        Assert.Multiple(async () =>
        {
            Assert.That(await _router.CountAsync("outbox_messages"), Is.Zero, "no re-scan, no expiry event");
            Assert.That(await _router.CountAsync("inbox"), Is.Zero);
            Assert.That((await _router.Catalog.GetImageAsync(Enhanced, "cont/old", Digest('b')))!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        });

        await ExecuteAsync("DROP TRIGGER fail_expiry;");
        await ScanRouterHost.WaitUntilAsync(async () => await _router.CountAsync("inbox") == 1, "a retry handled the advisory", TimeSpan.FromSeconds(30));
        await _router.OutboxDrainedAsync();
        Assert.That(Rescans().Select(r => r.Scan.Image.Repository), Is.EqualTo(new[] { "cont/api" }));
        Assert.That(Expiries().Select(e => e.Image.Repository), Is.EqualTo(new[] { "cont/old" }));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_router.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
