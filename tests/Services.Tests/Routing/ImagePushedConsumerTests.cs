using ImageScanning.Contracts;
using ImageScanning.ScanRouter;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageScanning.Services.Tests.Routing;

/// <summary>The router's push handling on MassTransit's in-memory harness with the real SQLite store.</summary>
public sealed class ImagePushedConsumerTests
{
    private string _directory = "";
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private SqliteScanRouterStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-consumer-").FullName;
        _store = new SqliteScanRouterStore(Path.Combine(_directory, "router.db"));
        _provider = new ServiceCollection()
            .AddSingleton<IScanRouterStore>(_store)
            .AddSingleton(TimeProvider.System)
            .AddMetrics()
            .AddSingleton<RouterMetrics>()
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddMassTransitTestHarness(x => x.AddConsumer<ImagePushedConsumer>())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static ImagePushed Push(string deliveryId, string repository, char digest = 'a') =>
        new(deliveryId, "local", repository, "sha256:" + new string(digest, 64), "v1", "application/vnd.oci.image.manifest.v1+json", DateTimeOffset.UtcNow);

    private async Task PublishAndWaitAsync(params ImagePushed[] pushes)
    {
        foreach (var push in pushes) await _harness.Bus.Publish(push);
        var consumer = _harness.GetConsumerHarness<ImagePushedConsumer>();
        for (var i = 0; i < 100 && consumer.Consumed.Select<ImagePushed>().Count() < pushes.Length; i++) await Task.Delay(50);
        Assert.That(consumer.Consumed.Select<ImagePushed>().Count(), Is.EqualTo(pushes.Length));
        await _harness.InactivityTask;
    }

    private List<ScanImage> SentScans() => _harness.Sent.Select<ScanImage>().Select(s => s.Context.Message).ToList();

    [Test]
    public async Task A_duplicate_delivery_of_the_same_event_scans_nothing_twice()
    {
        await _store.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "team/app"), Push("event-1", "team/app"));

        var sent = SentScans();
        Assert.That(sent, Has.Count.EqualTo(1));
        Assert.That(sent[0].ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(sent[0].Trigger, Is.EqualTo(ScanTrigger.PUSH));
        var image = await _store.GetImageAsync("local", "team/app", "sha256:" + new string('a', 64));
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(image.LastScanId, Is.EqualTo(sent[0].ScanId));
    }

    [Test]
    public async Task A_basic_image_is_scanned_on_push_once_per_24_hours_even_when_pushed_again_under_a_new_tag()
    {
        await _store.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("team", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "team/app"), Push("event-2", "team/app") with { Tag = "v2" });

        Assert.That(SentScans(), Has.Count.EqualTo(1));
        var image = await _store.GetImageAsync("local", "team/app", "sha256:" + new string('a', 64));
        Assert.That(image!.Tags, Is.EquivalentTo(new[] { "v1", "v2" }));
    }

    [Test]
    public async Task Repositories_no_scan_on_push_rule_matches_are_catalogued_but_not_scanned()
    {
        await _store.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "dev/app"));

        Assert.That(SentScans(), Is.Empty);
        var image = await _store.GetImageAsync("local", "dev/app", "sha256:" + new string('a', 64));
        Assert.That(image, Is.Not.Null);
        Assert.That(image!.ScanStatus, Is.Null);
    }

    [Test]
    public async Task Enhanced_continuous_repositories_go_to_the_enhanced_scanner_queue()
    {
        await _store.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "prod/api"), Push("event-2", "dev/api", 'b'));

        var sent = _harness.Sent.Select<ScanImage>().ToList();
        Assert.That(sent, Has.Count.EqualTo(1));
        Assert.That(sent[0].Context.Message.ScanType, Is.EqualTo(ScanType.ENHANCED));
        Assert.That(sent[0].Context.DestinationAddress!.AbsolutePath, Does.EndWith(QueueNames.EnhancedScanner));
    }
}
