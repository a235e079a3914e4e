namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>How much of a database's outbox is waiting, for metrics and health.</summary>
public sealed record OutboxStatus(long Pending, DateTimeOffset? OldestPendingCreatedAt);

/// <summary>
/// A database's outbox table as its dispatcher sees it. Rows are written by <see cref="Storage.UnitOfWork"/> in the transaction of
/// their effect; the dispatcher claims the due ones, sends them and marks them dispatched. SQLite and MongoDB pass one contract suite.
/// </summary>
public interface IOutboxStore
{
    /// <summary>
    /// Pending messages due at <paramref name="now"/>, in the order they were written, leased until now + lease so a second
    /// dispatcher (another process on the same database) skips them; a dispatcher that dies mid-send loses nothing, the lease ends.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct = default);

    /// <summary>Marks messages as handed to the bus (kept until pruned: a bus that forgets, the in-memory one, is replayed from them).</summary>
    Task MarkDispatchedAsync(IReadOnlyCollection<Guid> messageIds, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Records a failed dispatch and when to try again.</summary>
    Task MarkFailedAsync(Guid messageId, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default);

    /// <summary>Deletes messages dispatched before <paramref name="dispatchedBefore"/> and inbox marks made before <paramref name="handledBefore"/>.</summary>
    Task<long> PruneAsync(DateTimeOffset dispatchedBefore, DateTimeOffset handledBefore, CancellationToken ct = default);

    /// <summary>
    /// Makes messages dispatched at or after <paramref name="since"/> pending again, due now, each at most <paramref name="maxReplays"/>
    /// times over its life: for a bus that lost what it held (the in-memory bus after a restart). Consumers skip the ones they handled.
    /// Returns how many were requeued.
    /// </summary>
    Task<long> RequeueDispatchedSinceAsync(DateTimeOffset since, int maxReplays, DateTimeOffset now, CancellationToken ct = default);

    Task<OutboxStatus> GetStatusAsync(CancellationToken ct = default);

    /// <summary>
    /// Whether <paramref name="consumer"/> already handled <paramref name="key"/>, read outside any transaction: lets a consumer skip
    /// expensive work (a scan) for a redelivery. Only the mark inside the unit of work decides.
    /// </summary>
    Task<bool> IsHandledAsync(string consumer, Guid key, CancellationToken ct = default);
}
