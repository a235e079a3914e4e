using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
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
        if (messages.Count == 0) return;
        var documents = messages.Select(ToDocument).ToList();
        foreach (var (message, document) in messages.Zip(documents)) EnsureFits(message, document);
        var writes = documents.Select(document => new UpdateOneModel<BsonDocument>(
            Filter.Eq("_id", document["_id"]),
            Update.Combine(document.Elements.Where(e => e.Name != "_id").Select(e => Update.SetOnInsert(e.Name, e.Value)))) { IsUpsert = true }).ToList();
        // Outside the session: an index build never joins a transaction (and creates the collection before one writes to it).
        await IndexesOf(database).EnsureAsync(ct);
        await database.GetCollection<BsonDocument>(OutboxCollection).BulkWriteAsync(session, writes, new BulkWriteOptions { IsOrdered = true }, ct);
    }

    /// <summary>
    /// Bodies longer than this (UTF-16 chars) are stored Brotli-compressed in a BSON binary with <c>bodyEncoding: "brotli"</c>: an
    /// ImageScanned of a large image (its packages and findings) is tens of MB of JSON, over MongoDB's 16 MiB document limit.
    /// Shorter ones stay readable strings.
    /// </summary>
    public const int CompressBodiesAbove = 64 * 1024;

    /// <summary>MongoDB's document limit (the server's maxBsonObjectSize), checked before the unit of work writes.</summary>
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    private const string BrotliEncoding = "brotli";

    private static BsonValue Body(OutboxMessage message)
    {
        if (message.Body.Length <= CompressBodiesAbove) return message.Body;
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) brotli.Write(Encoding.UTF8.GetBytes(message.Body));
        return new BsonBinaryData(buffer.ToArray(), BsonBinarySubType.Binary);
    }

    /// <summary>The body as sent: decompressed when marked, as stored when a string.</summary>
    public static string ReadBody(BsonDocument document)
    {
        var body = document["body"];
        if (body.IsString) return body.AsString;
        if (!body.IsBsonBinaryData || document.GetValue("bodyEncoding", BsonNull.Value) != BrotliEncoding)
            throw new InvalidDataException($"Outbox message {document["_id"]}: body is a {body.BsonType} with encoding '{document.GetValue("bodyEncoding", BsonNull.Value)}', not text or Brotli.");
        using var brotli = new BrotliStream(new MemoryStream(body.AsBsonBinaryData.Bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(brotli, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The document a message's upsert inserts (public for the offline document tests).</summary>
    public static BsonDocument ToDocument(OutboxMessage m, int position) => new()
    {
        ["_id"] = m.MessageId.ToString("D"),
        ["messageType"] = m.MessageType,
        ["destination"] = (BsonValue?)m.Destination ?? BsonNull.Value,
        ["body"] = Body(m),
        ["bodyEncoding"] = m.Body.Length > CompressBodiesAbove ? BrotliEncoding : BsonNull.Value,
        ["traceParent"] = (BsonValue?)m.TraceParent ?? BsonNull.Value,
        ["createdAt"] = m.CreatedAt.UtcDateTime,
        ["position"] = position,
        ["nextAttemptAt"] = (m.CreatedAt + OutboxDefaults.CommitLease).UtcDateTime,
        ["attempts"] = 0,
        ["dispatchedAt"] = BsonNull.Value,
        ["replays"] = 0,
    };

    /// <summary>
    /// The message's document against the document limit before the write: a permanent failure naming the message, instead of a
    /// server error that aborts the transaction on every redelivery.
    /// </summary>
    private static void EnsureFits(OutboxMessage message, BsonDocument document)
    {
        if (message.Body.Length <= CompressBodiesAbove) return; // 64 Ki chars cannot come near 16 MiB
        var size = document.ToBson().Length;
        if (size > MaxDocumentBytes)
            throw new InvalidOperationException(
                $"Outbox: the {message.MessageType} message {message.MessageId} is {size} bytes as one document of collection '{OutboxCollection}' " +
                $"(its body compressed), over MongoDB's {MaxDocumentBytes}-byte (16 MiB) document limit; it cannot be stored.");
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
            Guid.Parse(d["_id"].AsString), d["messageType"].AsString, ReadBody(d),
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
