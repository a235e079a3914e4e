using System.Collections.Concurrent;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Outbox;

/// <summary>The dispatcher in a real host with MassTransit's in-memory bus and a real SQLite outbox.</summary>
public sealed class OutboxDispatcherTests
{
    private const string Database = "service";
    private string _directory = "";
    private IHost? _host;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("outbox-dispatch-").FullName;

    [TearDown]
    public async Task TearDown()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
        // The stopping dispatcher's last flush may still open the file: clear the pool and retry the clean-up briefly.
        for (var attempt = 1; ; attempt++)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    private static ImagePulled Pulled(string id) => new(id, "local", "team/app", "sha256:" + new string('a', 64), DateTimeOffset.UtcNow);

    private async Task<(IServiceDatabase Database, ITestHarness Harness)> StartAsync(Action<IBusFactoryConfigurator>? bus = null, bool? replayOnStart = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory, DisableDefaults = true });
        builder.Configuration["Storage:DataDirectory"] = _directory;
        builder.Configuration["Outbox:PollInterval"] = "00:00:00.100";
        builder.Configuration["Outbox:RetryInterval"] = "00:00:00.200";
        if (replayOnStart is { } replay) builder.Configuration["Outbox:ReplayOnStart"] = replay.ToString();
        builder.AddOutbox(Database);
        builder.Services.AddMetrics();
        builder.Services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<PulledConsumer>().Endpoint(e => e.Name = "pulled-queue");
            x.UsingInMemory((context, cfg) =>
            {
                bus?.Invoke(cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        _host = builder.Build();
        await _host.StartAsync();
        // Not harness.Start(): it would start every hosted service (the dispatcher) a second time.
        var harness = _host.Services.GetTestHarness();
        return (_host.Services.GetRequiredKeyedService<IServiceDatabase>(Database), harness);
    }

    private static async Task<IReadOnlyList<OutboxMessage>> CommitAsync(IServiceDatabase database, Action<UnitOfWork> queue)
    {
        await using var work = await database.BeginAsync();
        queue(work);
        await work.CommitAsync(CancellationToken.None);
        return work.Messages;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"Timed out waiting until {what}.");
    }

    [Test]
    public async Task A_committed_message_is_published_with_the_id_it_was_stored_with_and_then_marked()
    {
        var (database, harness) = await StartAsync();
        var stored = await CommitAsync(database, work => work.Publish(Pulled("published")));

        Assert.That(await harness.Published.Any<ImagePulled>(m => m.Context.MessageId == stored[0].MessageId), Is.True);
        await WaitUntilAsync(async () => (await database.Outbox.GetStatusAsync()).Pending == 0, "the message is marked dispatched");
    }

    /// <summary>
    /// MassTransit's test harness starts every hosted service again when started after its host: a second dispatcher loop would
    /// replay (in memory) what the first had sent and marked, and send it twice. The dispatcher starts once.
    /// </summary>
    [Test]
    public async Task A_second_start_sends_nothing_again()
    {
        var (database, harness) = await StartAsync(replayOnStart: true);
        var copies = new Findings.BusRecorder();
        using var observer = harness.Bus.ConnectPublishObserver(copies);
        var stored = await CommitAsync(database, work => work.Publish(Pulled("once")));
        await WaitUntilAsync(async () => (await database.Outbox.GetStatusAsync()).Pending == 0, "the message is marked dispatched");

        await _host!.Services.GetRequiredService<OutboxDispatcher>().StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // five poll intervals: a second loop would have replayed and sent by now

        Assert.That(copies.Copies<ImagePulled>(), Is.EqualTo(new Dictionary<Guid, int> { [stored[0].MessageId] = 1 }));
    }

    [Test]
    public async Task A_send_reaches_the_named_queue()
    {
        var (database, harness) = await StartAsync();
        var stored = await CommitAsync(database, work => work.Send("pulled-queue", Pulled("sent")));

        var consumer = harness.GetConsumerHarness<PulledConsumer>();
        Assert.That(await consumer.Consumed.Any<ImagePulled>(m => m.Context.MessageId == stored[0].MessageId && m.Context.Message.DeliveryId == "sent"), Is.True);
    }

    [Test]
    public async Task Messages_left_by_a_process_that_died_after_its_commit_are_sent_by_the_next_one()
    {
        // Committed an hour ago by a process that never sent them (no dispatcher: its sink did nothing).
        var dead = new SqliteDatabase(Path.Combine(_directory, Database + ".db"), NoOutboxSink.Instance, new Rescanning.ManualClock(DateTimeOffset.UtcNow.AddHours(-1)));
        var stored = await CommitAsync(dead, work => { work.Publish(Pulled("orphan-1")); work.Publish(Pulled("orphan-2")); });

        var (_, harness) = await StartAsync();
        foreach (var message in stored)
            Assert.That(await harness.Published.Any<ImagePulled>(m => m.Context.MessageId == message.MessageId), Is.True);
    }

    [Test]
    public async Task A_message_the_bus_refuses_is_sent_again_later_with_the_same_id()
    {
        var refusals = new RefuseOnce("refused");
        var copies = new Findings.BusRecorder(); // every copy: the harness keeps one entry per message id
        var (database, harness) = await StartAsync(bus =>
        {
            bus.ConfigurePublish(p => p.UseFilter(refusals));
            bus.ConnectPublishObserver(copies);
        });
        var stored = await CommitAsync(database, work => { work.Publish(Pulled("refused")); work.Publish(Pulled("after")); });

        foreach (var message in stored)
            Assert.That(await harness.Published.Any<ImagePulled>(m => m.Context.MessageId == message.MessageId), Is.True);
        Assert.That(refusals.Refused, Is.EqualTo(1));
        await WaitUntilAsync(async () => (await database.Outbox.GetStatusAsync()).Pending == 0, "both are marked dispatched");
        await Task.Delay(500); // a second copy, if any, would be published by now (poll 100 ms, retry 200 ms)
        Assert.That(copies.Copies<ImagePulled>(), Is.EqualTo(new Dictionary<Guid, int> { [stored[0].MessageId] = 1, [stored[1].MessageId] = 1 }),
            "each goes out once: the refused one when tried again, the one behind it waits for it");
    }

    [Test]
    public async Task On_a_bus_that_forgets_a_restart_replays_what_was_dispatched_recently_with_the_same_ids()
    {
        var (database, harness) = await StartAsync();
        var stored = await CommitAsync(database, work => work.Publish(Pulled("before-restart")));
        Assert.That(await harness.Published.Any<ImagePulled>(m => m.Context.MessageId == stored[0].MessageId), Is.True);
        await WaitUntilAsync(async () => (await database.Outbox.GetStatusAsync()).Pending == 0, "the message is marked dispatched");
        await _host!.StopAsync();
        _host.Dispose();
        _host = null;

        var (_, restarted) = await StartAsync(replayOnStart: null); // in memory: replay by default
        Assert.That(await restarted.Published.Any<ImagePulled>(m => m.Context.MessageId == stored[0].MessageId), Is.True);
    }

    [Test]
    public async Task A_durable_bus_is_not_replayed_at_start()
    {
        var (database, harness) = await StartAsync();
        var stored = await CommitAsync(database, work => work.Publish(Pulled("once")));
        Assert.That(await harness.Published.Any<ImagePulled>(m => m.Context.MessageId == stored[0].MessageId), Is.True);
        await WaitUntilAsync(async () => (await database.Outbox.GetStatusAsync()).Pending == 0, "the message is marked dispatched");
        await _host!.StopAsync();
        _host.Dispose();
        _host = null;

        var (_, restarted) = await StartAsync(replayOnStart: false);
        await Task.Delay(500);
        Assert.That(restarted.Published.Select<ImagePulled>().Any(), Is.False);
    }

    public sealed class PulledConsumer : IConsumer<ImagePulled>
    {
        public Task Consume(ConsumeContext<ImagePulled> context) => Task.CompletedTask;
    }

    /// <summary>Fails the first publish of the message with the given delivery id, as a broker that is briefly away.</summary>
    private sealed class RefuseOnce(string deliveryId) : IFilter<PublishContext>
    {
        private readonly ConcurrentDictionary<string, bool> _refused = new();

        public int Refused => _refused.Count;

        public Task Send(PublishContext context, IPipe<PublishContext> next)
        {
            if (context is PublishContext<ImagePulled> pulled && pulled.Message.DeliveryId == deliveryId && _refused.TryAdd(deliveryId, true))
                throw new InvalidOperationException("The broker is away (test).");
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("refuse-once");
    }
}
