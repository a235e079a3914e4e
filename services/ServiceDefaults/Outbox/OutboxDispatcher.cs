using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>
/// Sends every outbox of the process to the bus, with the message id each row was stored with. Committed batches go out at once
/// (<see cref="Committed"/>); each outbox is also read every <see cref="OutboxOptions.PollInterval"/> for rows nobody sent: the
/// committing process died, or the bus refused them (broker down, no queue bound yet: sends are mandatory on RabbitMQ, so an
/// unroutable message is refused, not dropped). A sent row is marked, in batches; one sent twice goes out with the same id.
/// On a bus that forgets (in memory), start-up replays what was dispatched in the last <see cref="OutboxOptions.KeepDispatchedFor"/>.
/// </summary>
public sealed class OutboxDispatcher(
    IBus bus, OutboxDatabases databases, OutboxChannel committed, OutboxOptions options, MessagingOptions messaging, OutboxMetrics metrics,
    TimeProvider clock, ILogger<OutboxDispatcher> logger, IHostApplicationLifetime? lifetime = null)
    : BackgroundService
{
    public static readonly ActivitySource Activity = new(ServiceDefaultsExtensions.TelemetryPrefix + ".Outbox");

    private readonly ConcurrentDictionary<IServiceDatabase, ConcurrentQueue<Guid>> _sent = new();
    private readonly SemaphoreSlim _poll = new(0, int.MaxValue);

    private int _started;

    /// <summary>
    /// Starts once: a second start (MassTransit's test harness starts every hosted service again after the host did) would run a
    /// second replay at an arbitrary later moment and send again what the first loop had already sent and marked.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _started, 1) == 0 ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Wakes every outbox's poll now (after a replay request, in tests).</summary>
    public void PollNow() => _poll.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Publishing before the bus is up would fail every message once; wait for the host (and the bus) to have started.
        // Without a host (a test harness) the caller starts this once the bus is up.
        if (lifetime is not null)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                try { await started.Task; }
                catch (OperationCanceledException) { return; }
            }
        }

        if (options.ReplayOnStart ?? !messaging.IsRabbitMq) await ReplayAsync(clock.GetUtcNow() - options.KeepDispatchedFor, stoppingToken);
        await Task.WhenAll(SendCommittedAsync(stoppingToken), PollAsync(stoppingToken), MarkSentAsync(stoppingToken));
    }

    /// <summary>Makes every outbox's messages dispatched since <paramref name="since"/> pending again; returns how many.</summary>
    public async Task<long> ReplayAsync(DateTimeOffset since, CancellationToken ct)
    {
        long total = 0;
        foreach (var database in databases.All)
        {
            var requeued = await database.Outbox.RequeueDispatchedSinceAsync(since, options.MaxReplays, clock.GetUtcNow(), ct);
            if (requeued > 0) logger.LogInformation("Replaying {Count} messages of the {Database} outbox dispatched since {Since:o}", requeued, database.Name, since);
            total += requeued;
        }
        PollNow();
        return total;
    }

    private async Task SendCommittedAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (database, messages) in committed.Reader.ReadAllAsync(ct))
                await SendAsync(database, messages, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var full = false;
            foreach (var database in databases.All)
            {
                try
                {
                    var due = await database.Outbox.ClaimDueAsync(clock.GetUtcNow(), options.Lease, options.BatchSize, ct);
                    if (due.Count > 0) await SendAsync(database, due, ct);
                    full |= due.Count == options.BatchSize;
                    metrics.Observe(database.Name, await database.Outbox.GetStatusAsync(ct), clock.GetUtcNow());
                    await PruneAsync(database, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                catch (Exception e)
                {
                    // The store being unavailable for a while must not end dispatching for the life of the process.
                    logger.LogWarning("Reading the {Database} outbox failed, trying again in {Interval}: {Message}", database.Name, options.PollInterval, e.Message);
                }
            }
            if (full) continue;
            try { await _poll.WaitAsync(options.PollInterval, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private readonly ConcurrentDictionary<IServiceDatabase, DateTimeOffset> _lastPrune = new();

    private async Task PruneAsync(IServiceDatabase database, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_lastPrune.TryGetValue(database, out var last) && now - last < TimeSpan.FromMinutes(1)) return;
        _lastPrune[database] = now;
        await database.Outbox.PruneAsync(now - options.KeepDispatchedFor, now - options.InboxRetention, ct);
    }

    /// <summary>Sends the messages in order; on the first refusal, that one and the rest wait for the next poll.</summary>
    private async Task SendAsync(IServiceDatabase database, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var sent = _sent.GetOrAdd(database, _ => new ConcurrentQueue<Guid>());
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                await SendOneAsync(messages[i], ct);
                sent.Enqueue(messages[i].MessageId);
                metrics.Dispatched(database.Name);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                metrics.Failed(database.Name);
                logger.LogWarning("The bus refused {MessageType} {MessageId} from the {Database} outbox ({Error}); it is sent again in {Interval}",
                    messages[i].MessageType, messages[i].MessageId, database.Name, e.Message, options.RetryInterval);
                var retryAt = clock.GetUtcNow() + options.RetryInterval;
                foreach (var unsent in messages.Skip(i))
                {
                    try { await database.Outbox.MarkFailedAsync(unsent.MessageId, e.GetType().Name + ": " + e.Message, retryAt, ct); }
                    catch (Exception mark) when (mark is not OperationCanceledException)
                    {
                        logger.LogWarning("Could not record the failed dispatch of {MessageId}: {Message}; its lease runs out instead", unsent.MessageId, mark.Message);
                    }
                }
                return;
            }
        }
    }

    private async Task SendOneAsync(OutboxMessage row, CancellationToken ct)
    {
        var (message, type) = row.Deserialize();
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Activity.StartActivity("outbox dispatch", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.MessageId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.PublishTimeout);
        if (row.Destination is null)
            await bus.Publish(message, type, Pipe.Execute<PublishContext>(context => Prepare(context, row)), timeout.Token);
        else
        {
            var endpoint = await bus.GetSendEndpoint(QueueNames.For(row.Destination));
            await endpoint.Send(message, type, Pipe.Execute<SendContext>(context => Prepare(context, row)), timeout.Token);
        }
    }

    private static void Prepare(SendContext context, OutboxMessage row)
    {
        context.MessageId = row.MessageId;
        // Every platform message has a consumer: one the broker cannot route (its queue not bound yet) must come back, not vanish.
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
    }

    /// <summary>Marks sent rows dispatched, a batch per outbox at a time, so a busy outbox costs one write per batch, not per message.</summary>
    private async Task MarkSentAsync(CancellationToken ct)
    {
        while (true)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct); }
            catch (OperationCanceledException) { await FlushSentAsync(CancellationToken.None); return; }
            await FlushSentAsync(ct);
        }
    }

    private async Task FlushSentAsync(CancellationToken ct)
    {
        foreach (var (database, queue) in _sent)
        {
            var ids = new List<Guid>();
            while (ids.Count < 1000 && queue.TryDequeue(out var id)) ids.Add(id);
            if (ids.Count == 0) continue;
            try
            {
                await database.Outbox.MarkDispatchedAsync(ids, clock.GetUtcNow(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Not marked: the rows are claimed and sent again after their lease, with the same ids; consumers skip them.
                logger.LogWarning("Could not mark {Count} sent messages of the {Database} outbox: {Message}", ids.Count, database.Name, e.Message);
            }
        }
    }
}

/// <summary>Committed batches on their way from a unit of work to the dispatcher: the one sink of every database of the process.</summary>
public sealed class OutboxChannel : IOutboxSink
{
    private readonly Channel<(IServiceDatabase Database, IReadOnlyList<OutboxMessage> Messages)> _channel =
        Channel.CreateUnbounded<(IServiceDatabase, IReadOnlyList<OutboxMessage>)>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<(IServiceDatabase Database, IReadOnlyList<OutboxMessage> Messages)> Reader => _channel.Reader;

    public void Committed(IServiceDatabase database, IReadOnlyList<OutboxMessage> messages) => _channel.Writer.TryWrite((database, messages));
}

/// <summary>The service databases whose outboxes this process dispatches: the ones its services own (not those it only reads).</summary>
public sealed class OutboxDatabases(IServiceProvider services, IEnumerable<OwnedOutbox> owned)
{
    private readonly Lazy<IReadOnlyList<IServiceDatabase>> _all = new(() =>
        owned.Select(o => o.Name).Distinct(StringComparer.Ordinal)
            .Select(name => Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService<IServiceDatabase>(services, name))
            .ToList());

    public IReadOnlyList<IServiceDatabase> All => _all.Value;
}

/// <summary>Registered once per database whose outbox this process owns (<c>AddOutbox</c>).</summary>
public sealed record OwnedOutbox(string Name);
