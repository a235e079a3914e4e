using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Admin;
using ImageScanning.TestSupport;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace ImageScanning.Services.Tests.Gateway;

/// <summary>
/// /api/v1/admin/dead-letters: admin tokens only; on RabbitMQ a message that faulted into basic-scanner_error is moved back and
/// its consumer receives it again, without the fault headers; on the in-memory bus a replay sends recent outbox messages again.
/// </summary>
[NonParallelizable]
public sealed class DeadLetterApiTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-admin-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Test]
    public async Task Dead_letters_need_an_admin_token_and_an_admin_token_is_no_api_token()
    {
        await using var gateway = await GatewayHost.StartAsync(directory);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/admin/dead-letters"), (HttpMethod.Post, "/api/v1/admin/dead-letters/replay") })
        {
            Assert.Multiple(async () =>
            {
                Assert.That((await gateway.SendAsync(method, path, token: null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path} anonymous");
                Assert.That((await gateway.SendAsync(method, path, "not-a-token")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path} unknown token");
                Assert.That((await gateway.SendAsync(method, path, GatewayHost.ApiToken)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{method} {path} API token");
                Assert.That((await gateway.SendAsync(method, path, GatewayHost.AdminToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{method} {path} admin token");
            });
        }
        // A known token without the read scope: forbidden, not unauthenticated (one token scheme knows every token).
        Assert.That((await gateway.SendAsync(HttpMethod.Get, "/openapi/v1.json", GatewayHost.AdminToken)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
            "least privilege: the admin scope opens the admin API only");
        Assert.That((await gateway.SendAsync(HttpMethod.Get, "/openapi/v1.json", GatewayHost.ApiToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task On_the_in_memory_bus_a_replay_sends_recently_dispatched_outbox_messages_again_with_their_ids()
    {
        await using var gateway = await GatewayHost.StartAsync(directory);
        var (body, pushId, _) = GatewayHost.Notification();
        Assert.That((await gateway.PostNotificationAsync(body)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var first = await gateway.WaitForEventsAsync(1, TimeSpan.FromSeconds(10));
        Assert.That(first, Has.Count.EqualTo(1));
        // Replay requeues rows marked dispatched; marking is batched, so wait for it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await GatewayHost.OutboxRowsAsync(directory)).All(r => r.Dispatched) && DateTime.UtcNow < deadline) await Task.Delay(100);

        var list = await gateway.SendAsync(HttpMethod.Get, "/api/v1/admin/dead-letters", GatewayHost.AdminToken);
        var replay = await gateway.SendAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", GatewayHost.AdminToken);
        var replayBody = await JsonOf(replay);
        var again = await gateway.WaitForEventsAsync(2, TimeSpan.FromSeconds(10));
        Assert.Multiple(async () =>
        {
            Assert.That((await JsonOf(list)).GetProperty("transport").GetString(), Is.EqualTo("InMemory"));
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(replayBody.GetProperty("replayed").GetInt64(), Is.EqualTo(1));
            Assert.That(again.Select(e => e.DeliveryId), Is.EqualTo(new[] { pushId, pushId }), "sent again");
            Assert.That(again[1].MessageId, Is.EqualTo(again[0].MessageId), "with the same message id, for consumers' inboxes");
        });
    }

    [Test]
    public async Task A_replay_request_names_a_platform_error_queue_and_a_sane_maximum()
    {
        await using var gateway = await GatewayHost.StartAsync(directory);
        Assert.Multiple(async () =>
        {
            var unknown = await gateway.SendAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", GatewayHost.AdminToken, """{"queue":"some-other-queue_error"}""");
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await JsonOf(unknown)).GetProperty("message").GetString(), Does.Contain("basic-scanner_error"));
            var tooMany = await gateway.SendAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", GatewayHost.AdminToken, """{"max":0}""");
            Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task On_RabbitMQ_a_message_that_faulted_into_its_error_queue_is_moved_back_and_received_again_without_its_fault()
    {
        var vhost = RabbitMqVirtualHosts.NewName("gw-replay");
        await RabbitMqVirtualHosts.CreateAsync(vhost);
        try
        {
            await using var gateway = await GatewayHost.StartAsync(directory, GatewayHost.RabbitMq(vhost),
                x =>
                {
                    x.AddSingleton<FlakyScannerAttempts>();
                    x.AddConsumer<FlakyScannerConsumer, FlakyScannerConsumerDefinition>();
                });
            var attempts = gateway.Services.GetRequiredService<FlakyScannerAttempts>();
            var bus = gateway.Services.GetRequiredService<IBus>();
            var messageId = NewId.NextGuid();
            var endpoint = await bus.GetSendEndpoint(QueueNames.For(QueueNames.BasicScanner));
            await endpoint.Send(new ImagePulled("pull-1", "local", "demo/app", "sha256:" + new string('a', 64), DateTimeOffset.UtcNow),
                context => context.MessageId = messageId);

            // Three quick retries, then MassTransit moves it to basic-scanner_error with the fault's headers.
            var errorCount = await WaitForErrorCountAsync(gateway, 1, TimeSpan.FromSeconds(30));
            Assert.That(errorCount, Is.EqualTo(1), "the failing message is in basic-scanner_error");
            var faultHeaders = await PeekHeadersAsync(vhost, "basic-scanner_error");
            Assert.That(faultHeaders, Does.Contain("MT-Reason").And.Some.StartsWith("MT-Fault-"), "what the replay must strip");

            attempts.Fail = false;
            var replay = await gateway.SendAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", GatewayHost.AdminToken, """{"queue":"basic-scanner_error"}""");
            var replayBody = await JsonOf(replay);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (attempts.Succeeded.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(100);

            Assert.Multiple(async () =>
            {
                Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.OK), replayBody.ToString());
                Assert.That(replayBody.GetProperty("replayed").GetInt32(), Is.EqualTo(1));
                Assert.That(replayBody.GetProperty("queues")[0].GetProperty("remaining").GetInt64(), Is.Zero);
                Assert.That(attempts.Failed, Has.Count.EqualTo(4), "first delivery and three retries failed");
                Assert.That(attempts.Succeeded.Select(s => s.MessageId), Is.EqualTo(new[] { messageId }), "received again, same message id");
                Assert.That(attempts.Succeeded.Single().Headers, Has.None.StartsWith("MT-Fault-").And.None.EqualTo("MT-Reason"));
                Assert.That(await WaitForErrorCountAsync(gateway, 0, TimeSpan.FromSeconds(5)), Is.Zero);
            });
        }
        finally
        {
            await RabbitMqVirtualHosts.DeleteAsync(vhost);
        }
    }

    /// <summary>basic-scanner_error's count as GET /api/v1/admin/dead-letters reports it, once it is <paramref name="count"/> or time is up.</summary>
    private static async Task<long> WaitForErrorCountAsync(GatewayHost gateway, long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var response = await gateway.SendAsync(HttpMethod.Get, "/api/v1/admin/dead-letters", GatewayHost.AdminToken);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var queues = (await JsonOf(response)).GetProperty("queues").EnumerateArray().ToList();
            Assert.That(queues.Select(q => q.GetProperty("queue").GetString()), Is.EqualTo(PlatformQueues.ErrorQueues));
            var messages = queues.Single(q => q.GetProperty("queue").GetString() == "basic-scanner_error").GetProperty("messages").GetInt64();
            if (messages == count || DateTime.UtcNow > deadline) return messages;
            await Task.Delay(250);
        }
    }

    /// <summary>The header names of the first message of a queue, which goes back unacknowledged.</summary>
    private static async Task<List<string>> PeekHeadersAsync(string vhost, string queue)
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", VirtualHost = vhost, UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: false);
        Assert.That(message, Is.Not.Null);
        var headers = message!.BasicProperties.Headers?.Keys.ToList() ?? [];
        await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true);
        return headers;
    }

    public sealed class FlakyScannerAttempts
    {
        public volatile bool Fail = true;
        public ConcurrentQueue<Guid?> Failed { get; } = new();
        public ConcurrentQueue<(Guid? MessageId, List<string> Headers)> Succeeded { get; } = new();
    }

    /// <summary>Listens on the Basic scanner's queue; fails every delivery until told not to.</summary>
    public sealed class FlakyScannerConsumer(FlakyScannerAttempts attempts) : IConsumer<ImagePulled>
    {
        public Task Consume(ConsumeContext<ImagePulled> context)
        {
            if (attempts.Fail)
            {
                attempts.Failed.Enqueue(context.MessageId);
                throw new InvalidOperationException("This image always breaks the scanner (test).");
            }
            attempts.Succeeded.Enqueue((context.MessageId, context.Headers.GetAll().Select(h => h.Key).ToList()));
            return Task.CompletedTask;
        }
    }

    public sealed class FlakyScannerConsumerDefinition : ConsumerDefinition<FlakyScannerConsumer>
    {
        public FlakyScannerConsumerDefinition() => EndpointName = QueueNames.BasicScanner;
    }
}
