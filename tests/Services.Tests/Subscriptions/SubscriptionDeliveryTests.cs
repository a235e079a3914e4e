using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions.Delivery;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// Webhook delivery end to end inside Findings: events published on the (in-memory) bus, matched, stored in the
/// SQLite outbox, and POSTed by the dispatcher to a real HTTP subscriber on Kestrel.
/// </summary>
[NonParallelizable]
public sealed class SubscriptionDeliveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("subscription-delivery-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Each_subscriber_receives_exactly_the_events_its_pattern_selects_signed_with_its_own_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await FindingsHost.StartAsync(_directory);
        var scans = await host.SubscribeAsync(new Uri(receiver.Url, "scans"),
            """{"detail-type":["ECR Image Scan"],"detail":{"repository-name":[{"prefix":"prod/"}]}}""");
        var findings = await host.SubscribeAsync(new Uri(receiver.Url, "findings"),
            """{"source":["aws.inspector2"],"detail":{"severity":["HIGH","CRITICAL"],"status":[{"anything-but":"CLOSED"}]}}""");

        var prodScan = SampleEvents.Scan("prod/api");
        var high = SampleEvents.Change(SampleEvents.OpensslFinding);
        await host.Bus.Publish(SampleEvents.Scan("dev/api", digest: 'c'));
        await host.Bus.Publish(prodScan);
        await host.Bus.Publish(SampleEvents.Scan("prod/enhanced", ScanType.ENHANCED, 'd'));
        await host.Bus.Publish(SampleEvents.Change(SampleEvents.ZlibFinding));
        await host.Bus.Publish(high with { Change = FindingChangeKind.CLOSED, Status = FindingStatus.CLOSED, UpdatedAt = high.UpdatedAt.AddDays(1) });
        await host.Bus.Publish(high);
        await host.Bus.Publish(prodScan); // the bus redelivers: the subscriber still gets it once

        var accepted = await receiver.WaitForAcceptedAsync(2, Timeout);
        // Every published event consumed (its matches stored in the consumer's commit), then nothing pending: each stored delivery has
        // been sent, so the receiver's count is final, without a sleep.
        await host.WaitForConsumedAsync<ScanCompleted>(4, Timeout);
        await host.WaitForConsumedAsync<FindingChanged>(3, Timeout);
        await host.WaitForEmptyOutboxAsync(Timeout);

        Assert.That(receiver.Requests, Has.Count.EqualTo(2), string.Join("\n", receiver.Requests.Select(r => r.Path + " " + r.BodyText)));
        var scanEvent = accepted.Single(r => r.Path == "/scans");
        var findingEvent = accepted.Single(r => r.Path == "/findings");
        Assert.Multiple(() =>
        {
            Assert.That(WebhookSignature.Verify(scans.Secret!, scanEvent.Body, scanEvent.Header(WebhookSignature.HeaderName)), Is.True);
            Assert.That(WebhookSignature.Verify(findings.Secret!, findingEvent.Body, findingEvent.Header(WebhookSignature.HeaderName)), Is.True);
            Assert.That(WebhookSignature.Verify(findings.Secret!, scanEvent.Body, scanEvent.Header(WebhookSignature.HeaderName)), Is.False,
                "each subscription signs with its own secret");
            Assert.That(scanEvent.Header(WebhookSignature.HeaderName), Does.Match("^sha256=[0-9a-f]{64}$"));
            Assert.That(scanEvent.ContentType, Is.EqualTo("application/json; charset=utf-8"));
            Assert.That(scanEvent.Header(SubscriptionDispatcher.EventIdHeader), Is.EqualTo(prodScan.ScanId.ToString()));
        });

        var scanJson = JsonNode.Parse(scanEvent.BodyText)!;
        Assert.That((string?)scanJson["id"], Is.EqualTo(prodScan.ScanId.ToString()));
        Assert.That((string?)scanJson["detail"]!["repository-name"], Is.EqualTo("prod/api"));
        Assert.That(scanJson["detail"]!["vulnerabilities"]!.AsArray().Select(v => (string?)v!["vulnerability-id"]),
            Is.EqualTo(new[] { "CVE-2024-6119", "CVE-2023-45853" }));
        var findingJson = JsonNode.Parse(findingEvent.BodyText)!;
        Assert.That((string?)findingJson["detail"]!["findingArn"], Is.EqualTo(high.FindingArn));
        Assert.That((string?)findingJson["detail"]!["status"], Is.EqualTo("ACTIVE"));
        Assert.That(host.Deliveries("delivered"), Is.EqualTo(2));
    }

    [Test]
    public async Task CloudEvents_mode_wraps_the_envelope_in_a_structured_cloudevent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await FindingsHost.StartAsync(_directory);
        var subscription = await host.SubscribeAsync(receiver.Url, """{"detail-type":["Inspector2 Finding"]}""", cloudEvents: true);
        var change = SampleEvents.Change(SampleEvents.OpensslFinding);

        await host.Bus.Publish(change);
        var received = (await receiver.WaitForAcceptedAsync(1, Timeout))[0];

        var cloudEvent = JsonNode.Parse(received.BodyText)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(received.ContentType, Is.EqualTo("application/cloudevents+json; charset=utf-8"));
            Assert.That(WebhookSignature.Verify(subscription.Secret!, received.Body, received.Header(WebhookSignature.HeaderName)), Is.True);
            Assert.That((string?)cloudEvent["specversion"], Is.EqualTo("1.0"));
            Assert.That((string?)cloudEvent["id"], Is.EqualTo(InspectorFindingEnvelope.EventId(change)));
            Assert.That((string?)cloudEvent["source"], Is.EqualTo("aws.inspector2"));
            Assert.That((string?)cloudEvent["type"], Is.EqualTo("Inspector2 Finding"));
            Assert.That((string?)cloudEvent["time"], Is.EqualTo("2024-09-04T16:55:38Z"));
            Assert.That((string?)cloudEvent["datacontenttype"], Is.EqualTo("application/json"));
            Assert.That((string?)cloudEvent["subject"], Does.StartWith("arn:aws:ecr:eu-central-1:123456789012:repository/prod/api/sha256:"));
            Assert.That((string?)cloudEvent["data"]!["detail-type"], Is.EqualTo("Inspector2 Finding"));
            Assert.That((string?)cloudEvent["data"]!["detail"]!["findingArn"], Is.EqualTo(change.FindingArn));
        });
    }

    [Test]
    public async Task A_failing_subscriber_is_retried_with_growing_backoff_until_it_accepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = n => n <= 2 ? 503 : 204;
        await using var host = await FindingsHost.StartAsync(_directory, new Dictionary<string, string?>(FindingsHost.FastRetries)
        {
            ["Subscriptions:MaxAttempts"] = "5",
            ["Subscriptions:InitialBackoff"] = "00:00:00.300",
        });
        var subscription = await host.SubscribeAsync(receiver.Url, """{"source":["aws.ecr"]}""");
        var started = DateTime.UtcNow;

        await host.Bus.Publish(SampleEvents.Scan("prod/api"));
        await receiver.WaitForAcceptedAsync(1, Timeout);
        var elapsed = DateTime.UtcNow - started;

        var requests = receiver.Requests;
        Assert.That(requests.Select(r => r.AnsweredStatus), Is.EqualTo(new[] { 503, 503, 204 }));
        Assert.That(requests.Select(r => r.BodyText).Distinct().Count(), Is.EqualTo(1), "every attempt sends the same bytes");
        Assert.That(requests.All(r => WebhookSignature.Verify(subscription.Secret!, r.Body, r.Header(WebhookSignature.HeaderName))), Is.True);
        Assert.That(requests.Select(r => r.Header(SubscriptionDispatcher.DeliveryIdHeader)).Distinct().Count(), Is.EqualTo(1));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300 + 600)), "backoff 300 ms, then 600 ms");
        await host.WaitForEmptyOutboxAsync(Timeout);
        Assert.That((host.Deliveries("failed"), host.Deliveries("delivered"), host.Deliveries("dead_lettered")), Is.EqualTo((2L, 1L, 0L)));
    }

    [Test]
    public async Task After_max_attempts_a_delivery_is_dead_lettered_and_a_replay_delivers_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => 500;
        await using var host = await FindingsHost.StartAsync(_directory);
        var subscription = (await host.SubscribeAsync(receiver.Url, """{"source":["aws.ecr"]}""")).Subscription!;
        var scan = SampleEvents.Scan("prod/api");

        await host.Bus.Publish(scan);
        var deadline = DateTime.UtcNow + Timeout;
        DeadLettersResult deadLetters;
        do
        {
            await Task.Delay(100);
            deadLetters = await host.RequestAsync<ListDeadLetters, DeadLettersResult>(new ListDeadLetters(subscription.Id));
        } while (deadLetters.DeadLetters.Count == 0 && DateTime.UtcNow < deadline);

        Assert.That(deadLetters.DeadLetters.Select(d => (d.EventId, d.DetailType, d.Attempts, d.LastError)),
            Is.EqualTo(new[] { (scan.ScanId.ToString(), "ECR Image Scan", 3, (string?)"HTTP 500 Internal Server Error") }));
        Assert.That(receiver.Requests, Has.Count.EqualTo(3));
        Assert.That(host.Deliveries("dead_lettered"), Is.EqualTo(1));
        Assert.That(await host.Store.CountPendingAsync(), Is.Zero);

        receiver.Respond = _ => 200;
        var replay = await host.RequestAsync<ReplayDeadLetters, ReplayDeadLettersResult>(new ReplayDeadLetters(subscription.Id));
        var delivered = await receiver.WaitForAcceptedAsync(1, Timeout);

        Assert.That(replay, Is.EqualTo(new ReplayDeadLettersResult(true, 1)));
        Assert.That((string?)JsonNode.Parse(delivered[0].BodyText)!["id"], Is.EqualTo(scan.ScanId.ToString()));
        var after = await host.RequestAsync<ListDeadLetters, DeadLettersResult>(new ListDeadLetters(subscription.Id));
        Assert.That(after.DeadLetters, Is.Empty);
        var unknown = await host.RequestAsync<ReplayDeadLetters, ReplayDeadLettersResult>(new ReplayDeadLetters(Guid.NewGuid()));
        Assert.That(unknown.Found, Is.False);
    }

    [Test]
    public async Task A_delivery_queued_while_the_subscriber_is_down_survives_a_restart_and_arrives()
    {
        var port = WebhookReceiver.FreePort();
        var target = new Uri($"http://127.0.0.1:{port}/hook");
        var scan = SampleEvents.Scan("prod/api");
        string secret;
        await using (var first = await FindingsHost.StartAsync(_directory, new Dictionary<string, string?>(FindingsHost.FastRetries)
        {
            ["Subscriptions:MaxAttempts"] = "20",
        }))
        {
            secret = (await first.SubscribeAsync(target, """{"detail":{"repository-name":["prod/api"]}}""")).Secret!;
            await first.Bus.Publish(scan);
            var deadline = DateTime.UtcNow + Timeout;
            while (first.Deliveries("failed") < 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.That(first.Deliveries("failed"), Is.GreaterThanOrEqualTo(1), "the subscriber was down, so the attempt failed");
            Assert.That(await first.Store.CountPendingAsync(), Is.EqualTo(1));
        }

        await using var receiver = await WebhookReceiver.StartAsync(port);
        await using var second = await FindingsHost.StartAsync(_directory);
        var received = await receiver.WaitForAcceptedAsync(1, Timeout);

        Assert.That(received[0].Path, Is.EqualTo("/hook"));
        Assert.That((string?)JsonNode.Parse(received[0].BodyText)!["id"], Is.EqualTo(scan.ScanId.ToString()));
        Assert.That(WebhookSignature.Verify(secret, received[0].Body, received[0].Header(WebhookSignature.HeaderName)), Is.True);
        await second.WaitForEmptyOutboxAsync(Timeout);
    }
}
