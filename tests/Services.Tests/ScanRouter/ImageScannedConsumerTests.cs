using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Background;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>ImageScanned on MassTransit's in-memory harness with the real SQLite store: status and package index follow the scans.</summary>
public sealed class ImageScannedConsumerTests
{
    private const string Registry = "local";
    private const string Repository = "team/app";
    private static readonly string Digest = "sha256:" + new string('a', 64);
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private SqliteScanRouterStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-scanned-").FullName;
        _store = new SqliteScanRouterStore(Path.Combine(_directory, "router.db"));
        await StartHarnessAsync(x =>
        {
            x.AddConsumer<ImageScannedConsumer>();
            x.AddConsumer<RescanImageScannedConsumer, RescanImageScannedConsumerDefinition>();
        });
        await _store.UpsertImageAsync(new ImageRecord(Registry, Repository, Digest, ["v1"], "application/vnd.oci.image.manifest.v1+json",
            T0, null, ScanStatus.IN_PROGRESS, null, null, null, T0, T0));
    }

    private async Task StartHarnessAsync(Action<IBusRegistrationConfigurator> consumers)
    {
        _provider = new ServiceCollection()
            .AddSingleton<IScanRouterStore>(_store)
            .AddMetrics()
            .AddSingleton<ImageScanning.ScanRouter.RouterMetrics>()
            .AddScoped<ImageScannedHandler>()
            .AddBackgroundLane()
            .AddMassTransitTestHarness(consumers)
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    /// <summary>A harness with one lane's consumer only, so what it leaves undone shows it skipped the other lane's message.</summary>
    private async Task RestartWithOnlyAsync(Action<IBusRegistrationConfigurator> consumer)
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        await StartHarnessAsync(consumer);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static PackageRecord Package(string name, string? source, string? ecosystem) =>
        new(name, "1.0", "dpkg", ecosystem, source, null, "amd64", "var/lib/dpkg/status", "sha256:" + new string('1', 64));

    private static ImageScanned Scanned(DateTimeOffset completedAt, params PackageRecord[] packages) =>
        Scanned(ScanTrigger.PUSH, completedAt, packages);

    private static ImageScanned Scanned(ScanTrigger trigger, DateTimeOffset completedAt, params PackageRecord[] packages) =>
        new(Guid.NewGuid(), new ImageRef(Registry, Repository, Digest, ["v1"]), ScanType.BASIC, trigger, null,
            packages, [], "test", null, completedAt);

    private Task PublishAndWaitAsync(ImageScanned message) => PublishAndWaitAsync<ImageScannedConsumer>(message);

    private async Task PublishAndWaitAsync<TConsumer>(ImageScanned message) where TConsumer : class, IConsumer
    {
        var consumer = _harness.GetConsumerHarness<TConsumer>();
        var before = consumer.Consumed.Select<ImageScanned>().Count();
        await _harness.Bus.Publish(message);
        for (var i = 0; i < 100 && consumer.Consumed.Select<ImageScanned>().Count() <= before; i++) await Task.Delay(50);
        await _harness.InactivityTask;
        Assert.That(consumer.Consumed.Select<ImageScanned>().Count(), Is.EqualTo(before + 1));
    }

    private Task<IReadOnlyList<ImageKey>> Holding(string ecosystem, string name) => _store.FindImagesHoldingAsync([new ImagePackageKey(ecosystem, name)]);

    [Test]
    public async Task A_completed_scan_sets_the_status_and_indexes_source_packages()
    {
        await PublishAndWaitAsync(Scanned(T0.AddMinutes(1),
            Package("libssl3", "openssl", "Debian:12"),
            Package("PyYAML", null, "PyPI"),
            Package("local-thing", null, null)));

        var image = new ImageKey(Registry, Repository, Digest);
        Assert.That((await _store.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(await Holding("Debian:12", "openssl"), Is.EqualTo(new[] { image }));
        Assert.That(await Holding("PyPI", "pyyaml"), Is.EqualTo(new[] { image }));
        Assert.That(await Holding("Debian:12", "libssl3"), Is.Empty);
    }

    [Test]
    public async Task A_later_scan_replaces_the_index_and_an_older_one_arriving_late_does_not()
    {
        await PublishAndWaitAsync(Scanned(T0.AddMinutes(2), Package("zlib1g", "zlib", "Debian:12")));
        await PublishAndWaitAsync(Scanned(T0.AddMinutes(1), Package("libssl3", "openssl", "Debian:12")));

        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1));
        Assert.That(await Holding("Debian:12", "openssl"), Is.Empty, "the older scan arrived late and must not overwrite the newer inventory");

        await PublishAndWaitAsync(Scanned(T0.AddMinutes(3), Package("libssl3", "openssl", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);
        Assert.That(await Holding("Debian:12", "openssl"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_rematch_that_sends_no_inventory_keeps_the_index_and_sets_the_status()
    {
        await PublishAndWaitAsync(Scanned(T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12")));
        var rematch = Scanned(ScanTrigger.RESCAN, T0.AddMinutes(2)) with { InventoryUnchanged = true };
        await PublishAndWaitAsync<RescanImageScannedConsumer>(rematch);

        var image = await _store.GetImageAsync(Registry, Repository, Digest);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(image.LastScanId, Is.EqualTo(rematch.ScanId), "the re-match is the image's latest scan");
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1), "an empty package list that means 'unchanged' does not empty the index");
    }

    [Test]
    public async Task Both_lanes_registered_push_and_rescan_results_each_set_the_status()
    {
        await PublishAndWaitAsync<RescanImageScannedConsumer>(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1), "the re-scan lane indexed the re-scan's packages");

        await PublishAndWaitAsync<ImageScannedConsumer>(Scanned(ScanTrigger.PUSH, T0.AddMinutes(2), Package("libssl3", "openssl", "Debian:12")));
        Assert.That(await Holding("Debian:12", "openssl"), Has.Count.EqualTo(1), "the push lane indexed the push's packages");
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);
    }

    [Test]
    public async Task The_push_lane_leaves_rescan_results_to_the_rescan_lane()
    {
        await RestartWithOnlyAsync(x => x.AddConsumer<ImageScannedConsumer>());

        await PublishAndWaitAsync<ImageScannedConsumer>(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That((await _store.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);

        await PublishAndWaitAsync<ImageScannedConsumer>(Scanned(ScanTrigger.MANUAL, T0.AddMinutes(2), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_rescan_lane_leaves_push_results_to_the_push_lane()
    {
        await RestartWithOnlyAsync(x => x.AddConsumer<RescanImageScannedConsumer, RescanImageScannedConsumerDefinition>());

        await PublishAndWaitAsync<RescanImageScannedConsumer>(Scanned(ScanTrigger.PUSH, T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That((await _store.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);

        await PublishAndWaitAsync<RescanImageScannedConsumer>(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(2), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1));
    }
}
