using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Subscriptions.Consumers;
using ImageScanning.Findings.Subscriptions.Delivery;
using ImageScanning.TestSupport;
using MassTransit;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// A scan result through the whole of Findings as it runs (AddMessaging's retries on the in-memory bus, the outbox dispatcher, the
/// webhook dispatcher) to a real HTTP subscriber, while every consumer on the way fails once right after its commit: each event
/// still reaches the subscriber exactly once.
/// </summary>
[NonParallelizable]
public sealed class SubscriptionExactlyOnceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("subscription-once-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Consumers_that_fail_after_their_commit_still_deliver_each_event_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        string[] failOnce = [nameof(ImageScannedConsumer), nameof(ScanCompletedSubscriptionConsumer), nameof(FindingChangedSubscriptionConsumer)];
        var settings = new Dictionary<string, string?>(FindingsHost.FastRetries);
        for (var i = 0; i < failOnce.Length; i++) settings[$"Testing:ThrowAfterCommit:{i}"] = failOnce[i];
        await using var host = await FindingsHost.StartAsync(_directory, settings);
        await host.SubscribeAsync(receiver.Url, """{"source":["aws.inspector2"]}""");
        var image = SampleEvents.Image("prod/api");
        var scan = new ImageScanned(NewId.NextGuid(), image, ScanType.ENHANCED, ScanTrigger.PUSH, new OperatingSystemInfo("debian", "12", "Debian GNU/Linux 12"),
            [SampleEvents.Libssl, SampleEvents.Zlib], [SampleEvents.OpensslFinding, SampleEvents.ZlibFinding], "test", null, DateTimeOffset.UtcNow);

        await host.Bus.Publish(scan);
        await receiver.WaitForAcceptedAsync(3, Timeout);
        await host.WaitForEmptyOutboxAsync(Timeout);
        await Task.Delay(1000); // a copy sent by a retry would arrive by now

        var received = receiver.Requests.Select(r => JsonNode.Parse(r.BodyText)!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(received.Select(e => (string?)e["detail-type"]), Is.EquivalentTo(new[] { "Inspector2 Scan", "Inspector2 Finding", "Inspector2 Finding" }),
                string.Join("\n", receiver.Requests.Select(r => r.BodyText)));
            Assert.That(received.Select(e => (string?)e["id"]).Distinct().Count(), Is.EqualTo(3), "each event once");
            Assert.That(received.Where(e => (string?)e["detail-type"] == "Inspector2 Finding").Select(e => (string?)e["detail"]!["packageVulnerabilityDetails"]!["vulnerabilityId"]),
                Is.EquivalentTo(new[] { "CVE-2024-6119", "CVE-2023-45853" }));
            Assert.That(receiver.Requests.Select(r => r.Header(SubscriptionDispatcher.DeliveryIdHeader)).Distinct().Count(), Is.EqualTo(3));
            Assert.That(host.Deliveries("delivered"), Is.EqualTo(3));
        });
    }
}
