using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Extensions;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// Scan results on MassTransit's in-memory harness with the real SQLite stores: status, package index and usage follow the scans in
/// one unit of work per scan id. Push and manual results come as ImageScanned to scan-router, re-scan results as ImageRescanned to
/// scan-router-rescans: routed by message type, nothing filters on the trigger.
/// </summary>
public sealed class ImageScannedConsumerTests
{
    private const string Registry = "local";
    private const string Repository = "team/app";
    private static readonly string Digest = "sha256:" + new string('a', 64);
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private ScanRouterHost _router = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-scanned-").FullName;
        await StartHarnessAsync(bus => bus.AddScanRouterConsumers());
        await _router.Catalog.UpsertImageAsync(new ImageRecord(Registry, Repository, Digest, ["v1"], "application/vnd.oci.image.manifest.v1+json",
            T0, null, ScanStatus.IN_PROGRESS, null, null, null, T0, T0));
    }

    private async Task StartHarnessAsync(Action<IBusRegistrationConfigurator> consumers) =>
        _router = await ScanRouterHost.StartAsync(_directory, consumers);

    /// <summary>A host with one lane's consumer only, so what it leaves undone shows the other lane's message never reached it.</summary>
    private async Task RestartWithOnlyAsync(Action<IBusRegistrationConfigurator> consumer)
    {
        await _router.DisposeAsync();
        await StartHarnessAsync(bus =>
        {
            bus.TryAddScoped<ImageScannedHandler>();
            consumer(bus);
        });
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private ITestHarness Harness => _router.Harness;

    private static PackageRecord Package(string name, string? source, string? ecosystem) =>
        new(name, "1.0", "dpkg", ecosystem, source, null, "amd64", "var/lib/dpkg/status", "sha256:" + new string('1', 64));

    private static ImageScanned Scanned(DateTimeOffset completedAt, params PackageRecord[] packages) =>
        Scanned(ScanTrigger.PUSH, completedAt, packages);

    private static ImageScanned Scanned(ScanTrigger trigger, DateTimeOffset completedAt, params PackageRecord[] packages) =>
        new(Guid.NewGuid(), new ImageRef(Registry, Repository, Digest, ["v1"]), ScanType.BASIC, trigger, null,
            packages, [], "test", null, completedAt);

    private Task PublishAndWaitAsync(ImageScanned message, Guid? messageId = null) =>
        _router.PublishAndWaitAsync<ImageScannedConsumer, ImageScanned>(message, messageId);

    private Task PublishRescanAndWaitAsync(ImageScanned scan, Guid? messageId = null) =>
        _router.PublishAndWaitAsync<ImageRescannedConsumer, ImageRescanned>(new ImageRescanned(scan), messageId);

    /// <summary>Publishes a message no consumer of this host takes, and waits for the bus to go quiet.</summary>
    private async Task PublishUnconsumedAsync<T>(T message) where T : class
    {
        await Harness.Bus.Publish(message);
        Assert.That(await Harness.Published.Any<T>(), Is.True);
        await Harness.InactivityTask;
    }

    private Task<IReadOnlyList<ImageKey>> Holding(string ecosystem, string name) => _router.PackageIndex.FindImagesHoldingAsync([new ImagePackageKey(ecosystem, name)]);

    private async Task<RepositoryUsageCount?> UsageAsync() =>
        (await _router.Usage.GetScanUsageAsync(Registry, 2025, 3)).SingleOrDefault(u => u.Repository == Repository);

    [Test]
    public async Task A_completed_scan_sets_the_status_and_indexes_source_packages()
    {
        await PublishAndWaitAsync(Scanned(T0.AddMinutes(1),
            Package("libssl3", "openssl", "Debian:12"),
            Package("PyYAML", null, "PyPI"),
            Package("local-thing", null, null)));

        var image = new ImageKey(Registry, Repository, Digest);
        Assert.That((await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(await Holding("Debian:12", "openssl"), Is.EqualTo(new[] { image }));
        Assert.That(await Holding("PyPI", "pyyaml"), Is.EqualTo(new[] { image }));
        Assert.That(await Holding("Debian:12", "libssl3"), Is.Empty);
        Assert.That(await UsageAsync(), Is.EqualTo(new RepositoryUsageCount(Repository, 1, 0)));
    }

    [Test]
    public async Task A_scan_of_an_end_of_life_os_marks_the_image_in_coverage()
    {
        var buster = Scanned(T0.AddMinutes(1), Package("base-files", null, "Debian:10")) with
        {
            OperatingSystem = new OperatingSystemInfo("debian", "10", "Debian GNU/Linux 10 (buster)", new DateOnly(2024, 6, 30)),
        };
        await PublishAndWaitAsync(buster);

        Assert.That((await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.OsEndOfLife, Is.EqualTo(new DateOnly(2024, 6, 30)));
        var coverage = (await Harness.GetRequestClient<ListCoverage>().GetResponse<CoverageResult>(new ListCoverage(Registry, null, 100, null))).Message;
        var image = coverage.CoveredResources.Single(r => r.ImageDigest == Digest);
        Assert.That((image.OsEndOfLife, image.OsEndOfLifeReached), Is.EqualTo(((DateOnly?)new DateOnly(2024, 6, 30), true)));
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
        await PublishRescanAndWaitAsync(rematch);

        var image = await _router.Catalog.GetImageAsync(Registry, Repository, Digest);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(image.LastScanId, Is.EqualTo(rematch.ScanId), "the re-match is the image's latest scan");
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1), "an empty package list that means 'unchanged' does not empty the index");
        Assert.That(await UsageAsync(), Is.EqualTo(new RepositoryUsageCount(Repository, 1, 1)));
    }

    [Test]
    public async Task Both_lanes_registered_push_and_rescan_results_each_set_the_status()
    {
        await PublishRescanAndWaitAsync(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1), "the re-scan lane indexed the re-scan's packages");

        await PublishAndWaitAsync(Scanned(ScanTrigger.PUSH, T0.AddMinutes(2), Package("libssl3", "openssl", "Debian:12")));
        Assert.That(await Holding("Debian:12", "openssl"), Has.Count.EqualTo(1), "the push lane indexed the push's packages");
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);
    }

    [Test]
    public async Task Each_result_type_arrives_on_its_own_queue()
    {
        await PublishRescanAndWaitAsync(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(1)));
        await PublishAndWaitAsync(Scanned(ScanTrigger.PUSH, T0.AddMinutes(2)));

        var rescans = Harness.GetConsumerHarness<ImageRescannedConsumer>().Consumed.Select<ImageRescanned>().ToList();
        var scans = Harness.GetConsumerHarness<ImageScannedConsumer>().Consumed.Select<ImageScanned>().ToList();
        Assert.That(rescans.Select(r => r.Context.ReceiveContext.InputAddress.AbsolutePath), Is.EqualTo(new[] { "/" + ImageRescannedConsumerDefinition.QueueName }));
        Assert.That(scans.Select(s => s.Context.ReceiveContext.InputAddress.AbsolutePath), Is.EqualTo(new[] { "/" + ScanRouterExtensions.EndpointName }));
    }

    [Test]
    public async Task The_push_lane_takes_no_rescan_results()
    {
        await RestartWithOnlyAsync(x => x.AddConsumer<ImageScannedConsumer>().Endpoint(e => e.Name = ScanRouterExtensions.EndpointName));

        await PublishUnconsumedAsync(new ImageRescanned(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12"))));
        Assert.That((await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);

        await PublishAndWaitAsync(Scanned(ScanTrigger.MANUAL, T0.AddMinutes(2), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_rescan_lane_takes_no_push_results()
    {
        await RestartWithOnlyAsync(x => x.AddConsumer<ImageRescannedConsumer, ImageRescannedConsumerDefinition>());

        await PublishUnconsumedAsync(Scanned(ScanTrigger.PUSH, T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That((await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(await Holding("Debian:12", "zlib"), Is.Empty);

        await PublishRescanAndWaitAsync(Scanned(ScanTrigger.RESCAN, T0.AddMinutes(2), Package("zlib1g", "zlib", "Debian:12")));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_redelivered_result_changes_nothing_and_counts_once()
    {
        var scan = Scanned(T0.AddMinutes(1), Package("zlib1g", "zlib", "Debian:12"));
        var messageId = NewId.NextGuid();
        await PublishAndWaitAsync(scan, messageId);
        var after = await _router.Catalog.GetImageAsync(Registry, Repository, Digest);

        await PublishAndWaitAsync(scan, messageId);
        // A second result of the same scan (a re-dispatched scan answering twice): another message, the same scan id.
        await PublishAndWaitAsync(scan with { Packages = [Package("libssl3", "openssl", "Debian:12")], CompletedAt = T0.AddMinutes(3) });

        var image = await _router.Catalog.GetImageAsync(Registry, Repository, Digest);
        Assert.That((image!.ScanStatusAt, image.UpdatedAt, image.LastScanId), Is.EqualTo((after!.ScanStatusAt, after.UpdatedAt, after.LastScanId)));
        Assert.That(await Holding("Debian:12", "zlib"), Has.Count.EqualTo(1));
        Assert.That(await Holding("Debian:12", "openssl"), Is.Empty, "the second answer of the same scan was skipped");
        Assert.That(await UsageAsync(), Is.EqualTo(new RepositoryUsageCount(Repository, 1, 0)), "counted once");
        Assert.That(await _router.CountAsync("inbox"), Is.EqualTo(1), "one mark, keyed on the scan id");
    }

    [Test]
    public async Task A_redelivered_rescan_result_counts_once()
    {
        var rescan = Scanned(ScanTrigger.RESCAN, T0.AddMinutes(1)) with { InventoryUnchanged = true };
        var messageId = NewId.NextGuid();
        await PublishRescanAndWaitAsync(rescan, messageId);
        await PublishRescanAndWaitAsync(rescan, messageId);

        Assert.That(await UsageAsync(), Is.EqualTo(new RepositoryUsageCount(Repository, 0, 1)));
        Assert.That(await _router.CountAsync("inbox"), Is.EqualTo(1));
    }
}
