using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.EndToEnd.Tests;

/// <summary>The same scenario with each service in its own process on RabbitMQ, plus an outside subscriber on the bus.</summary>
public sealed class DistributedPipelineTests : PipelineTests
{
    private IBusControl? _subscriber;
    private readonly TaskCompletionSource<ScanCompleted> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentBag<NewCveAdded> _newCves = [];
    private static string StartupDirectory => ImageScanning.TestSupport.Corpus.PathOf("osv", "debian");

    /// <summary>This mode also imports the corpus's real Debian OSV records at start-up.</summary>
    protected override void Configure(Dictionary<string, string> environment)
    {
        environment["CveFeed__ImportPaths__0"] = StartupDirectory;
        environment["Messaging__RabbitMqVirtualHost"] = _virtualHost;
    }

    /// <summary>This run's own virtual host: the services and the outside subscriber meet there and nowhere else.</summary>
    private readonly string _virtualHost = ImageScanning.TestSupport.RabbitMqVirtualHosts.NewName("e2e");

    protected override int StartupAdvisories => Directory.GetFiles(StartupDirectory, "*.json").Length;

    protected override Task<RunningPlatform> StartPlatformAsync(int gatewayPort, Dictionary<string, string> environment) =>
        RunningPlatform.StartDistributedAsync(gatewayPort, environment);

    /// <summary>An outside service that references only the contracts and subscribes to ScanCompleted, as the README shows.</summary>
    protected override async Task BeforeStartAsync()
    {
        await ImageScanning.TestSupport.RabbitMqVirtualHosts.CreateAsync(_virtualHost);
        _subscriber = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(Environment.GetEnvironmentVariable("RABBITMQ_HOST") ?? "127.0.0.1", _virtualHost, h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint($"e2e-subscriber-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<NewCveAdded>(context =>
                {
                    _newCves.Add(context.Message);
                    return Task.CompletedTask;
                });
                e.Handler<ScanCompleted>(context =>
                {
                    if (context.Message.Image.Repository == "e2e/debian") _received.TrySetResult(context.Message);
                    return Task.CompletedTask;
                });
            });
        });
        await _subscriber.StartAsync();
    }

    [Test]
    public async Task An_outside_subscriber_receives_ScanCompleted_over_rabbitmq()
    {
        var received = await _received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(received.Image.Digest, Is.EqualTo(Scanned.Digest));
            Assert.That(received.Status, Is.EqualTo(ScanStatus.COMPLETE));
            Assert.That(received.ScanType, Is.EqualTo(ScanType.BASIC));
            Assert.That(received.Trigger, Is.EqualTo(ScanTrigger.PUSH));
            Assert.That(received.FindingSeverityCounts.Values.Sum(), Is.EqualTo(Advisories.ExpectedFindings.Count));
        });
    }

    [Test]
    public void CveFeed_announces_every_new_advisory_with_its_affected_packages()
    {
        var announced = _newCves.GroupBy(e => e.VulnerabilityId).ToDictionary(g => g.Key, g => g.First());

        Assert.That(announced.Keys, Is.SupersetOf(new[]
        {
            TestAdvisories.FixedRange, TestAdvisories.ExplicitVersion, TestAdvisories.AlreadyFixed,
            TestAdvisories.OtherRelease, TestAdvisories.LastAffected, "DLA-3008-1",
        }));
        Assert.That(announced.Values.Count(e => e.VulnerabilityId.StartsWith("E2E-", StringComparison.Ordinal)), Is.EqualTo(5));
        Assert.That(announced["DLA-3008-1"].Packages, Is.EqualTo(new[] { new AffectedPackageRef("Debian:9", "openssl") }));
        Assert.That(announced[TestAdvisories.ExplicitVersion].Aliases, Does.Contain("CVE-2026-0002"));
    }

    [OneTimeTearDown]
    public async Task StopSubscriberAsync()
    {
        if (_subscriber is not null) await _subscriber.StopAsync();
    }

    protected override Task AfterStopAsync() => ImageScanning.TestSupport.RabbitMqVirtualHosts.DeleteAsync(_virtualHost);
}
