using MongoDB.Driver;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>
/// A MongoDB store that owns indexes. <see cref="MongoIndexStartup"/> creates every registered store's indexes once, when the
/// service starts (index builds cannot join a transaction, and a constructor must not block on the network); the store's own
/// calls await the same creation, so a call that comes first still finds them.
/// </summary>
public interface IMongoIndexOwner
{
    /// <summary>Creates the store's indexes (idempotent); completes at once after the first success in this process.</summary>
    Task EnsureIndexesAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Creates a store's indexes once per process, outside any transaction; retried by the next call after a failure. Shared by a
/// store and the copies <c>In(work)</c> makes of it.
/// </summary>
public sealed class MongoIndexes(Func<CancellationToken, Task> create)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _ready;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_ready) return;
        await _lock.WaitAsync(ct);
        try
        {
            if (_ready) return;
            await create(ct);
            _ready = true;
        }
        finally
        {
            _lock.Release();
        }
    }
}

/// <summary>
/// Write concerns the stores share. <see cref="Durable"/>: acknowledged by a majority and journaled, for every write that a
/// later de-duplication relies on (a delivery id, an inbox mark): an acknowledged write that a failover rolls back would let the
/// same work run twice.
/// </summary>
public static class MongoWriteConcerns
{
    public static readonly WriteConcern Durable = WriteConcern.WMajority.With(journal: true);

    /// <summary>The options every unit of work's transaction uses: snapshot reads, primary, durable commit.</summary>
    public static TransactionOptions Transaction => new(ReadConcern.Snapshot, ReadPreference.Primary, Durable);
}
