using System.Collections.Concurrent;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>
/// The outbox and inbox collections of a service's MongoDB database. Outbox documents are keyed by message id and ordered by
/// (createdAt, position in their unit of work); inbox documents by "consumer|key".
/// </summary>
public sealed class MongoOutboxStore(IMongoDatabase database) : IOutboxStore, IMongoIndexOwner
{
    public const string OutboxCollection = "outbox_messages";
    public const string InboxCollection = "inbox";

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BsonDocument> Update = Builders<BsonDocument>.Update;

    private readonly IMongoCollection<BsonDocument> _outbox = database.GetCollection<BsonDocument>(OutboxCollection);
    private readonly IMongoCollection<BsonDocument> _inbox = database.GetCollection<BsonDocument>(InboxCollection);
    private readonly MongoIndexes _indexes = IndexesOf(database);

    /// <summary>Oldest first: creation, position in its unit of work, then the id, so the order is total.</summary>
    private static readonly SortDefinition<BsonDocument> OldestFirst =
        Builders<BsonDocument>.Sort.Ascending("createdAt").Ascending("position").Ascending("_id");

    // One once-guard per database, shared by the store and the static InsertAsync (which the unit of work calls): the database's
    // outbox store is not registered with MongoIndexStartup, so its indexes are made by the first call of either.
    private static readonly ConcurrentDictionary<(IMongoClient Client, string Database), MongoIndexes> Guards = new();

    private static MongoIndexes IndexesOf(IMongoDatabase database) =>
        Guards.GetOrAdd((database.Client, database.DatabaseNamespace.DatabaseName), _ => new MongoIndexes(ct => CreateIndexesAsync(database, ct)));

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    /// <summary>
    /// Writes outbox documents in the caller's session transaction. A message id already stored is left as it is (deterministic ids
    /// may recur): an upsert that only sets fields on insert, since a duplicate-key error would abort the whole transaction.
    /// </summary>
    public static async Task InsertAsync(IMongoDatabase database, IClientSessionHandle session, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var writes = messages.Select((m, position) => new UpdateOneModel<BsonDocument>(
            Filter.Eq("_id", m.MessageId.ToString("D")),
            Update.SetOnInsert("messageType", m.MessageType)
                .SetOnInsert("destination", (BsonValue?)m.Destination ?? BsonNull.Value)
                .SetOnInsert("body", m.Body)
                .SetOnInsert("traceParent", (BsonValue?)m.TraceParent ?? BsonNull.Value)
                .SetOnInsert("createdAt", m.CreatedAt.UtcDateTime)
                .SetOnInsert("position", position)
                .SetOnInsert("nextAttemptAt", (m.CreatedAt + OutboxDefaults.CommitLease).UtcDateTime)
                .SetOnInsert("attempts", 0)
                .SetOnInsert("dispatchedAt", BsonNull.Value)
                .SetOnInsert("replays", 0)) { IsUpsert = true }).ToList();
        if (writes.Count == 0) return;
        // Outside the session: an index build never joins a transaction (and creates the collection before one writes to it).
        await IndexesOf(database).EnsureAsync(ct);
        await database.GetCollection<BsonDocument>(OutboxCollection).BulkWriteAsync(session, writes, new BulkWriteOptions { IsOrdered = true }, ct);
    }

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        var due = Filter.Eq("dispatchedAt", BsonNull.Value) & Filter.Lte("nextAttemptAt", now.UtcDateTime);
        var ids = await _outbox.Find(due).Sort(OldestFirst)
            .Limit(limit).Project(Builders<BsonDocument>.Projection.Include("_id")).ToListAsync(ct);
        if (ids.Count == 0) return [];
        var leaseId = Guid.NewGuid().ToString("N");
        await _outbox.UpdateManyAsync(due & Filter.In("_id", ids.Select(d => d["_id"])),
            Update.Set("nextAttemptAt", (now + lease).UtcDateTime).Set("leaseId", leaseId), cancellationToken: ct);
        var claimed = await _outbox.Find(Filter.Eq("leaseId", leaseId))
            .Sort(OldestFirst).ToListAsync(ct);
        return claimed.Select(d => new OutboxMessage(
            Guid.Parse(d["_id"].AsString), d["messageType"].AsString, d["body"].AsString,
            d["destination"].IsBsonNull ? null : d["destination"].AsString,
            d["traceParent"].IsBsonNull ? null : d["traceParent"].AsString,
            new DateTimeOffset(d["createdAt"].ToUniversalTime()))).ToList();
    }

    public async Task MarkDispatchedAsync(IReadOnlyCollection<Guid> messageIds, DateTimeOffset at, CancellationToken ct = default)
    {
        if (messageIds.Count == 0) return;
        await EnsureIndexesAsync(ct);
        await _outbox.UpdateManyAsync(Filter.In("_id", messageIds.Select(id => id.ToString("D"))) & Filter.Eq("dispatchedAt", BsonNull.Value),
            Update.Set("dispatchedAt", at.UtcDateTime).Unset("lastError"), cancellationToken: ct);
    }

    public async Task MarkFailedAsync(Guid messageId, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        await _outbox.UpdateOneAsync(Filter.Eq("_id", messageId.ToString("D")) & Filter.Eq("dispatchedAt", BsonNull.Value),
            Update.Inc("attempts", 1).Set("lastError", error).Set("nextAttemptAt", nextAttemptAt.UtcDateTime), cancellationToken: ct);
    }

    public async Task<long> PruneAsync(DateTimeOffset dispatchedBefore, DateTimeOffset handledBefore, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        var outbox = await _outbox.DeleteManyAsync(Filter.Ne("dispatchedAt", BsonNull.Value) & Filter.Lt("dispatchedAt", dispatchedBefore.UtcDateTime), ct);
        var inbox = await _inbox.DeleteManyAsync(Filter.Lt("handledAt", handledBefore.UtcDateTime), ct);
        return outbox.DeletedCount + inbox.DeletedCount;
    }

    public async Task<long> RequeueDispatchedSinceAsync(DateTimeOffset since, int maxReplays, DateTimeOffset now, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        var result = await _outbox.UpdateManyAsync(
            Filter.Gte("dispatchedAt", since.UtcDateTime) & Filter.Lt("replays", maxReplays),
            Update.Set("dispatchedAt", BsonNull.Value).Set("nextAttemptAt", now.UtcDateTime).Inc("replays", 1), cancellationToken: ct);
        return result.ModifiedCount;
    }

    public async Task<bool> IsHandledAsync(string consumer, Guid key, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        return await _inbox.Find(Filter.Eq("_id", consumer + "|" + key.ToString("D"))).AnyAsync(ct);
    }

    public async Task<OutboxStatus> GetStatusAsync(CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        var pending = Filter.Eq("dispatchedAt", BsonNull.Value);
        // Not the whole collection: the undispatched messages only (normally few), an index range of ix_pending_oldest.
        var count = await _outbox.CountDocumentsAsync(pending, cancellationToken: ct);
        var oldest = await _outbox.Find(pending).Sort(OldestFirst).Project(Builders<BsonDocument>.Projection.Include("createdAt"))
            .Limit(1).FirstOrDefaultAsync(ct);
        return new OutboxStatus(count, oldest is null ? null : new DateTimeOffset(oldest["createdAt"].ToUniversalTime()));
    }

    /// <summary>
    /// ix_due: the claim's filter (undispatched, due), the prune and the replay (dispatchedAt ranges); ix_pending_oldest: the claim's
    /// and the status's order among the undispatched, and the pending count; ix_lease: a claim's read-back.
    /// </summary>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> OutboxIndexes { get; } =
    [
        new(Builders<BsonDocument>.IndexKeys.Ascending("dispatchedAt").Ascending("nextAttemptAt"), new CreateIndexOptions { Name = "ix_due" }),
        new(Builders<BsonDocument>.IndexKeys.Ascending("dispatchedAt").Ascending("createdAt").Ascending("position").Ascending("_id"),
            new CreateIndexOptions { Name = "ix_pending_oldest" }),
        new(Builders<BsonDocument>.IndexKeys.Ascending("leaseId"), new CreateIndexOptions { Name = "ix_lease", Sparse = true }),
    ];

    /// <summary>The inbox's prune by handling time (its lookups are by _id).</summary>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> InboxIndexes { get; } =
    [
        new(Builders<BsonDocument>.IndexKeys.Ascending("handledAt"), new CreateIndexOptions { Name = "ix_handled_at" }),
    ];

    private static async Task CreateIndexesAsync(IMongoDatabase database, CancellationToken ct)
    {
        await database.GetCollection<BsonDocument>(OutboxCollection).Indexes.CreateManyAsync(OutboxIndexes, ct);
        await database.GetCollection<BsonDocument>(InboxCollection).Indexes.CreateManyAsync(InboxIndexes, ct);
    }
}
