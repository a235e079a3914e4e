using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>
/// Registry notifications go through the Gateway's outbox: 202 only once their events are stored (a new Gateway on the same data
/// sends them), 503 while the store is locked (nothing stored), 202 while the broker is away (sent when it is back), and a
/// notification the registry sends again is stored and published once.
/// </summary>
[NonParallelizable]
public sealed class WebhookOutboxTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-outbox-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static Guid PushIdOf(string deliveryId) => WebhookEventStore.MessageIdOf(nameof(ImagePushed), "local", deliveryId);

    [Test]
    public async Task A_notification_is_stored_then_acknowledged_and_sent_again_it_is_published_once()
    {
        await using var gateway = await GatewayHost.StartAsync(directory);
        var (body, pushId, pullId) = GatewayHost.Notification(withPull: true);
        var expected = new[] { PushIdOf(pushId), WebhookEventStore.MessageIdOf(nameof(ImagePulled), "local", pullId!) };

        var first = await gateway.PostNotificationAsync(body);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await first.Content.ReadAsStringAsync());
        // The 202 came after the commit: the rows are there whatever the dispatcher has done since.
        Assert.That((await GatewayHost.OutboxRowsAsync(directory)).Select(r => r.Id), Is.EqualTo(expected));
        var delivered = await gateway.WaitForEventsAsync(2, TimeSpan.FromSeconds(10));

        var again = await gateway.PostNotificationAsync(body);
        var againBody = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        var after = await gateway.WaitForEventsAsync(3, TimeSpan.FromSeconds(2));
        Assert.Multiple(async () =>
        {
            Assert.That(delivered.Select(d => d.MessageId), Is.EquivalentTo(expected), "published with the ids they were stored with");
            Assert.That(delivered.Select(d => d.DeliveryId), Is.EquivalentTo(new[] { pushId, pullId }));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a repeated notification is acknowledged");
            Assert.That(againBody.GetProperty("events")[0].GetProperty("reason").GetString(), Does.Contain("already accepted"));
            Assert.That(after, Has.Count.EqualTo(2), "and publishes nothing again");
            Assert.That(await GatewayHost.OutboxRowsAsync(directory), Has.Count.EqualTo(2), "nor stores anything again");
        });
    }

    [Test]
    public async Task A_locked_store_is_answered_503_and_stores_nothing_and_the_retry_is_accepted_once_it_is_free()
    {
        await using var gateway = await GatewayHost.StartAsync(directory, new Dictionary<string, string?> { ["Gateway:Webhooks:StoreTimeout"] = "00:00:01" });
        var (body, pushId, _) = GatewayHost.Notification();

        var locker = new SqliteConnection($"Data Source={GatewayHost.GatewayDatabase(directory)};Pooling=False");
        await locker.OpenAsync();
        await using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }
        var clock = Stopwatch.StartNew();
        var refused = await gateway.PostNotificationAsync(body);
        var refusedIn = clock.Elapsed;
        var refusal = await refused.Content.ReadAsStringAsync();
        await locker.DisposeAsync(); // ends the exclusive transaction

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), refusal);
            Assert.That(refusal, Does.Contain("could not store").And.Contain("Send it again"));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(refusedIn, Is.LessThan(TimeSpan.FromSeconds(10)), "refused after Gateway:Webhooks:StoreTimeout, not SQLite's 30 s busy timeout");
        });

        var accepted = await gateway.PostNotificationAsync(body);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        var delivered = await gateway.WaitForEventsAsync(2, TimeSpan.FromSeconds(5));
        Assert.Multiple(async () =>
        {
            Assert.That(delivered.Select(d => d.MessageId), Is.EqualTo(new[] { PushIdOf(pushId) }), "one push: the refused attempt stored nothing");
            Assert.That((await GatewayHost.OutboxRowsAsync(directory)).Select(r => r.Id), Is.EqualTo(new[] { PushIdOf(pushId) }));
        });
    }

    [Test]
    public async Task While_the_broker_is_away_notifications_are_accepted_and_a_new_gateway_on_the_same_data_sends_them()
    {
        var vhost = RabbitMqVirtualHosts.NewName("gw-outbox");
        await RabbitMqVirtualHosts.CreateAsync(vhost);
        try
        {
            var (body, pushId, _) = GatewayHost.Notification();
            await using (var first = await GatewayHost.StartAsync(directory, GatewayHost.RabbitMq(vhost)))
            {
                await RabbitMqVirtualHosts.DeleteAsync(vhost); // the broker is gone for this Gateway: no connection can be made
                var clock = Stopwatch.StartNew();
                var response = await first.PostNotificationAsync(body);
                Assert.Multiple(async () =>
                {
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
                    Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the webhook never waits for the bus");
                    Assert.That(await GatewayHost.OutboxRowsAsync(directory), Is.EqualTo(new[] { (PushIdOf(pushId), false) }), "stored, not sent");
                });
            } // this Gateway stops with its event unsent

            await RabbitMqVirtualHosts.CreateAsync(vhost);
            await using var second = await GatewayHost.StartAsync(directory, GatewayHost.RabbitMq(vhost));
            // The row's lease (15 s after its commit) runs out, then the new Gateway's dispatcher claims and sends it.
            var delivered = await second.WaitForEventsAsync(1, TimeSpan.FromSeconds(90)); // lease, retry pause, a loaded machine
            Assert.That(delivered, Is.EqualTo(new[] { (PushIdOf(pushId), pushId) }));
        }
        finally
        {
            await RabbitMqVirtualHosts.DeleteAsync(vhost);
        }
    }
}
