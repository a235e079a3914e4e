using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>
/// Notifications over the Gateway's limits (Gateway:Webhooks:MaxBodyBytes, MaxEventsPerNotification) are acknowledged with 200
/// and a "rejected" outcome, logged and counted, and store nothing: refused, the registry would send them again for ever and
/// hold every later notification behind them. The next notification is accepted as usual.
/// </summary>
[NonParallelizable]
public sealed class WebhookLimitsTests
{
    private const int DefaultMaxBodyBytes = 1 << 20;
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-limits-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task An_oversized_notification_with_a_content_length_is_acknowledged_as_rejected_and_stores_nothing()
    {
        var body = ManifestPushWithLayers(9_000);
        Assert.That(Encoding.UTF8.GetByteCount(body), Is.GreaterThan(DefaultMaxBodyBytes), "the test's notification is over the limit");
        var content = new StringContent(body, Encoding.UTF8, GatewayHost.NotificationMediaType);
        Assert.That(content.Headers.ContentLength, Is.Not.Null, "sent with a Content-Length");

        await RejectedThenNextAcceptedAsync(content, "body_too_large", $"larger than {DefaultMaxBodyBytes} bytes (Gateway:Webhooks:MaxBodyBytes)");
    }

    [Test]
    public async Task An_oversized_chunked_notification_is_acknowledged_as_rejected_and_stores_nothing()
    {
        var body = ManifestPushWithLayers(9_000);
        var content = new ChunkedContent(body, GatewayHost.NotificationMediaType);
        Assert.That(content.Headers.ContentLength, Is.Null, "sent chunked, with no Content-Length to check");

        await RejectedThenNextAcceptedAsync(content, "body_too_large", $"larger than {DefaultMaxBodyBytes} bytes (Gateway:Webhooks:MaxBodyBytes)");
    }

    [Test]
    public async Task A_malformed_notification_is_acknowledged_as_rejected_and_stores_nothing()
    {
        var content = new StringContent("""{"events": "nope"}""", Encoding.UTF8, GatewayHost.NotificationMediaType);

        await RejectedThenNextAcceptedAsync(content, "malformed", "The notification is malformed");
    }

    [Test]
    public async Task A_notification_with_more_events_than_the_default_cap_is_acknowledged_as_rejected_whole()
    {
        var body = Envelope(Enumerable.Range(0, 1_001).Select(_ => PushEvent(Guid.NewGuid().ToString(), NewDigest(), references: "")));
        Assert.That(Encoding.UTF8.GetByteCount(body), Is.LessThan(DefaultMaxBodyBytes), "under the body limit: the event cap rejects it");

        await RejectedThenNextAcceptedAsync(new StringContent(body, Encoding.UTF8, GatewayHost.NotificationMediaType), "too_many_events",
            "carries 1001 events, more than the 1000 allowed (Gateway:Webhooks:MaxEventsPerNotification): none of them were accepted");
    }

    [Test]
    public async Task The_event_cap_is_a_setting_and_a_notification_at_it_is_accepted()
    {
        await using var gateway = await GatewayHost.StartAsync(directory, new Dictionary<string, string?> { ["Gateway:Webhooks:MaxEventsPerNotification"] = "3" });
        string[] Ids(int count) => Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var atCap = Ids(3);
        var overCap = Ids(4);

        var over = await gateway.PostNotificationAsync(Envelope(overCap.Select(id => PushEvent(id, NewDigest(), references: ""))));
        var overAnswer = JsonDocument.Parse(await over.Content.ReadAsStringAsync()).RootElement;
        var at = await gateway.PostNotificationAsync(Envelope(atCap.Select(id => PushEvent(id, NewDigest(), references: ""))));

        Assert.Multiple(async () =>
        {
            Assert.That(over.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(overAnswer.GetProperty("reason").GetString(), Does.Contain("carries 4 events, more than the 3 allowed"));
            Assert.That(at.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await at.Content.ReadAsStringAsync());
            Assert.That((await GatewayHost.OutboxRowsAsync(directory)).Select(r => r.Id), Is.EqualTo(atCap.Select(PushIdOf)),
                "the three at the cap are stored, none of the four over it");
        });
    }

    /// <summary>
    /// Posts the notification over a limit to a fresh Gateway and checks what the registry, the log and the metric see; then that
    /// nothing was stored and the next valid notification is accepted and stored.
    /// </summary>
    private async Task RejectedThenNextAcceptedAsync(HttpContent overLimit, string metricReason, string reason)
    {
        var logs = new CapturedLogs();
        await using var gateway = await GatewayHost.StartAsync(directory, logs: logs);
        using var rejections = new RejectionCounter(gateway.Services.GetRequiredService<IMeterFactory>());

        var rejected = await gateway.PostNotificationAsync(overLimit);
        var answer = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync()).RootElement;
        var rowsAfterRejection = await GatewayHost.OutboxRowsAsync(directory);

        var (body, pushId, _) = GatewayHost.Notification();
        var next = await gateway.PostNotificationAsync(body);

        Assert.Multiple(async () =>
        {
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.OK), "acknowledged: the registry moves on");
            Assert.That(answer.GetProperty("outcome").GetString(), Is.EqualTo("rejected"));
            Assert.That(answer.GetProperty("code").GetString(), Is.EqualTo(metricReason), "the reason's code, as the metric counts it");
            Assert.That(answer.GetProperty("accepted").GetInt32(), Is.Zero);
            Assert.That(answer.GetProperty("reason").GetString(), Does.Contain(reason));
            Assert.That(rowsAfterRejection, Is.Empty, "nothing of it is stored");
            Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains(reason)).Select(e => e.Message),
                Has.One.Contains("registry local"), "one Warning names the registry and the reason");
            Assert.That(rejections.Reasons, Is.EqualTo(new[] { metricReason }), "imagescanning.gateway.webhook_rejections, by reason");
            Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await next.Content.ReadAsStringAsync());
            Assert.That((await GatewayHost.OutboxRowsAsync(directory)).Select(r => r.Id), Is.EqualTo(new[] { PushIdOf(pushId) }),
                "the next notification is stored, and only it");
        });
    }

    private static Guid PushIdOf(string deliveryId) => WebhookEventStore.MessageIdOf(nameof(ImagePushed), "local", deliveryId);

    private static string NewDigest() => "sha256:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string Envelope(IEnumerable<string> events) => $$"""{"events":[{{string.Join(",", events)}}]}""";

    /// <summary>A manifest push as docker-registry sends it with includereferences: true, one reference per layer.</summary>
    private static string ManifestPushWithLayers(int layers)
    {
        var references = string.Join(",", Enumerable.Range(0, layers).Select(_ =>
            $$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{NewDigest()}}","size":31457280}"""));
        return Envelope([PushEvent(Guid.NewGuid().ToString(), NewDigest(), $""","references":[{references}]""")]);
    }

    private static string PushEvent(string id, string digest, string references) => $$$"""
        {"id":"{{{id}}}","timestamp":"2026-11-28T02:29:12Z","action":"push",
         "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{digest}}}","repository":"demo/app","tag":"v1"{{{references}}}},
         "request":{"useragent":"docker/27.0"}}
        """;

    /// <summary>The reasons of imagescanning.gateway.webhook_rejections recorded by one Gateway's meters.</summary>
    private sealed class RejectionCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly List<string> reasons = [];

        public RejectionCounter(IMeterFactory gatewayMeters)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, gatewayMeters) && instrument.Name == "imagescanning.gateway.webhook_rejections")
                    l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "reason") lock (reasons) reasons.Add(tag.Value?.ToString() ?? "");
            });
            listener.Start();
        }

        public IReadOnlyList<string> Reasons { get { lock (reasons) return reasons.ToArray(); } }

        public void Dispose() => listener.Dispose();
    }
}
