using ImageScanning.ServiceDefaults.Outbox;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>
/// One atomic write to a service's own database: its effect (through stores joined with <see cref="ITransactionalStore{TStore}.In"/>),
/// the messages it causes (<see cref="Publish{T}"/>, <see cref="Send{T}"/>, stored in the outbox table) and, for a consumer, the
/// mark that the incoming message was handled (the inbox). All of it commits together or not at all; the messages go out only
/// after the commit, and again after a crash, by the database's <see cref="OutboxDispatcher"/>. Disposing without committing
/// rolls everything back. Use it from one flow at a time: it holds one connection or session.
/// </summary>
public abstract class UnitOfWork : IAsyncDisposable
{
    private readonly OutboxBatch _outbox;
    private readonly IOutboxSink _sink;
    private bool _committed;

    protected UnitOfWork(IServiceDatabase database, IOutboxSink sink, TimeProvider clock)
    {
        Database = database;
        _sink = sink;
        Clock = clock;
        _outbox = new OutboxBatch(clock);
    }

    public IServiceDatabase Database { get; }

    protected TimeProvider Clock { get; }

    /// <summary>True when the consumer's message was already handled (<see cref="TryMarkHandledAsync"/> found its mark): do nothing.</summary>
    public bool AlreadyHandled { get; private set; }

    /// <summary>The messages queued so far, in order.</summary>
    public IReadOnlyList<OutboxMessage> Messages => _outbox.Messages;

    /// <inheritdoc cref="OutboxBatch.Publish{T}"/>
    public void Publish<T>(T message, Guid? messageId = null) where T : class => _outbox.Publish(message, messageId);

    /// <inheritdoc cref="OutboxBatch.Send{T}"/>
    public void Send<T>(string queue, T message, Guid? messageId = null) where T : class => _outbox.Send(queue, message, messageId);

    /// <summary>
    /// The inbox: records, in this transaction, that <paramref name="consumer"/> handled <paramref name="key"/> (a message id, or
    /// an idempotency key such as a scan id). False when it already had: the effect and its events are stored, and the caller
    /// must do nothing (a redelivery, or a crash between commit and acknowledgement).
    /// </summary>
    public async Task<bool> TryMarkHandledAsync(string consumer, Guid key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        var marked = await TryInsertInboxAsync(consumer, key, Clock.GetUtcNow(), ct);
        AlreadyHandled = !marked;
        return marked;
    }

    /// <summary>Writes the queued messages, commits, then hands them to the dispatcher. A failure leaves nothing behind.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        if (Messages.Count > 0) await InsertOutboxAsync(Messages, ct);
        await CommitTransactionAsync(ct);
        _committed = true;
        await DisposeConnectionAsync();
        if (Messages.Count > 0) _sink.Committed(Database, Messages);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            _committed = true;
            try { await RollbackAsync(); }
            finally { await DisposeConnectionAsync(); }
        }
        GC.SuppressFinalize(this);
    }

    protected abstract Task<bool> TryInsertInboxAsync(string consumer, Guid key, DateTimeOffset at, CancellationToken ct);

    protected abstract Task InsertOutboxAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct);

    protected abstract Task CommitTransactionAsync(CancellationToken ct);

    protected abstract Task RollbackAsync();

    protected abstract ValueTask DisposeConnectionAsync();
}

/// <summary>A service's own database: one SQLite file or one MongoDB database, holding its stores, its outbox and its inbox.</summary>
public interface IServiceDatabase
{
    /// <summary>The service's store name ("scanrouter", "findings", …): the SQLite file name or the Mongo database suffix.</summary>
    string Name { get; }

    /// <summary>Starts a unit of work (for SQLite: takes the file's write lock, so keep it short).</summary>
    Task<UnitOfWork> BeginAsync(CancellationToken ct = default);

    /// <summary>The database's outbox table, for its dispatcher.</summary>
    IOutboxStore Outbox { get; }
}

/// <summary>A store whose writes can join a unit of work of the database it lives in.</summary>
public interface ITransactionalStore<out TStore>
{
    /// <summary>This store, with every read and write going through <paramref name="work"/>'s transaction.</summary>
    /// <exception cref="ArgumentException">A unit of work of another database.</exception>
    TStore In(UnitOfWork work);
}

/// <summary>Told of each committed batch of outbox messages, so they go out at once instead of at the next poll.</summary>
public interface IOutboxSink
{
    void Committed(IServiceDatabase database, IReadOnlyList<OutboxMessage> messages);
}

/// <summary>For stores used without a bus (tools, tests): committed messages wait in the outbox table for a dispatcher.</summary>
public sealed class NoOutboxSink : IOutboxSink
{
    public static readonly NoOutboxSink Instance = new();

    public void Committed(IServiceDatabase database, IReadOnlyList<OutboxMessage> messages) { }
}
