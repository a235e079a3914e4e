using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// What the ScanRouter's MongoDB stores share. Documents are plain BSON (no class maps or global serializer settings): enums as
/// strings, scan ids as "D"-format strings, times as BSON dates (milliseconds, UTC).
/// </summary>
internal static class MongoStoreSupport
{
    public const int DuplicateKeyCode = 11000;

    /// <summary>MongoDB's hard limit on one document (BSON bytes); a write above it fails on every retry.</summary>
    public const int MaxDocumentBytes = 16 * 1024 * 1024;

    public static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    public static readonly UpdateDefinitionBuilder<BsonDocument> Update = Builders<BsonDocument>.Update;
    public static readonly IndexKeysDefinitionBuilder<BsonDocument> IndexKeys = Builders<BsonDocument>.IndexKeys;

    public static FilterDefinition<BsonDocument> Key(string registry, string repository, string digest)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(digest);
        return Filter.Eq("registry", registry) & Filter.Eq("repository", repository) & Filter.Eq("digest", digest);
    }

    public static string? OptionalString(BsonDocument d, string name) =>
        d.TryGetValue(name, out var value) && value.IsString ? value.AsString : null;

    public static DateTimeOffset? OptionalDate(BsonDocument d, string name) =>
        d.TryGetValue(name, out var value) && value.IsValidDateTime
            ? new DateTimeOffset(DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc))
            : null;

    public static BsonValue Nullable(string? value) => value is null ? BsonNull.Value : new BsonString(value);

    public static BsonDateTime Date(DateTimeOffset value) => new(value.ToUnixTimeMilliseconds());

    public static bool IsDuplicateKey(MongoWriteException e) => e.WriteError?.Category == ServerErrorCategory.DuplicateKey;

    /// <summary>A duplicate key however the driver reports it (a write error, a bulk write error, a command error).</summary>
    public static bool IsDuplicateKey(MongoException e) => e switch
    {
        MongoWriteException write => IsDuplicateKey(write),
        MongoBulkWriteException bulk => bulk.WriteErrors.Any(w => w.Category == ServerErrorCategory.DuplicateKey),
        MongoCommandException command => command.Code == DuplicateKeyCode,
        _ => false,
    };

    /// <summary>Fails with a clear reason before MongoDB would reject <paramref name="document"/> for its size.</summary>
    public static void EnsureFits(BsonDocument document, string store, string collection)
    {
        var bytes = document.ToBson().Length;
        if (bytes > MaxDocumentBytes)
            throw new InvalidOperationException(
                $"{store}: a '{collection}' document of {bytes} bytes exceeds MongoDB's document limit of {MaxDocumentBytes} bytes (16 MiB).");
    }
}

/// <summary>
/// A store's own transaction, for a write of several documents called outside a unit of work: one unit of work on the service
/// database, committed, and started again when MongoDB reports a transient conflict (two transactions wrote one document, or two
/// first inserts of one key raced). The same pattern as the Findings lifecycle store's commit.
/// </summary>
internal static class MongoStoreTransaction
{
    /// <summary>How often a conflicting transaction is started again before the error reaches the caller (a consumer's retry).</summary>
    public const int MaxTransactionAttempts = 50;

    public static async Task<T> RunAsync<T>(MongoServiceDatabase database, Func<UnitOfWork, Task<T>> body, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var work = await database.BeginAsync(ct);
                var result = await body(work);
                await work.CommitAsync(ct);
                return result;
            }
            catch (MongoException e) when (attempt < MaxTransactionAttempts && IsRetryable(e))
            {
                // The loser of a write conflict aborts at once; a short random pause keeps it from meeting the same writer again.
                await Task.Delay(Random.Shared.Next(1, Math.Min(100, 5 * attempt) + 1), ct);
            }
        }
    }

    private static bool IsRetryable(MongoException e) =>
        e.HasErrorLabel("TransientTransactionError") || MongoStoreSupport.IsDuplicateKey(e);
}

/// <summary>
/// A collection used in or out of a unit of work: with the work's session every call passes it, since a write outside the session
/// to a document the open transaction touched would conflict with it (and a read outside it would not see the work's writes).
/// </summary>
internal readonly struct SessionCollection(IMongoCollection<BsonDocument> collection, IClientSessionHandle? session)
{
    public bool InTransaction => session is not null;

    /// <summary>
    /// This collection acknowledged by a majority and journaled, for de-duplication records written outside a transaction. (In one,
    /// the commit's write concern applies: an operation may not carry its own.)
    /// </summary>
    public SessionCollection Durable() =>
        session is null ? new SessionCollection(collection.WithWriteConcern(MongoWriteConcerns.Durable), null) : this;

    public IFindFluent<BsonDocument, BsonDocument> Find(FilterDefinition<BsonDocument> filter) =>
        session is null ? collection.Find(filter) : collection.Find(session, filter);

    public Task InsertOneAsync(BsonDocument document, CancellationToken ct) =>
        session is null ? collection.InsertOneAsync(document, cancellationToken: ct) : collection.InsertOneAsync(session, document, cancellationToken: ct);

    public Task<UpdateResult> UpdateOneAsync(FilterDefinition<BsonDocument> filter, UpdateDefinition<BsonDocument> update, CancellationToken ct, bool upsert = false)
    {
        var options = new UpdateOptions { IsUpsert = upsert };
        return session is null ? collection.UpdateOneAsync(filter, update, options, ct) : collection.UpdateOneAsync(session, filter, update, options, ct);
    }

    public Task<ReplaceOneResult> ReplaceOneAsync(FilterDefinition<BsonDocument> filter, BsonDocument document, bool upsert, CancellationToken ct)
    {
        var options = new ReplaceOptions { IsUpsert = upsert };
        return session is null ? collection.ReplaceOneAsync(filter, document, options, ct) : collection.ReplaceOneAsync(session, filter, document, options, ct);
    }

    public Task<DeleteResult> DeleteManyAsync(FilterDefinition<BsonDocument> filter, CancellationToken ct) =>
        session is null ? collection.DeleteManyAsync(filter, ct) : collection.DeleteManyAsync(session, filter, cancellationToken: ct);

    public Task<BsonDocument> FindOneAndUpdateAsync(
        FilterDefinition<BsonDocument> filter, UpdateDefinition<BsonDocument> update, FindOneAndUpdateOptions<BsonDocument> options, CancellationToken ct) =>
        session is null ? collection.FindOneAndUpdateAsync(filter, update, options, ct) : collection.FindOneAndUpdateAsync(session, filter, update, options, ct);

    public Task<BulkWriteResult<BsonDocument>> BulkWriteAsync(IEnumerable<WriteModel<BsonDocument>> requests, CancellationToken ct)
    {
        // Ordered: the writes take their documents in the caller's order, so two transactions never hold each other's next document.
        var options = new BulkWriteOptions { IsOrdered = true };
        return session is null ? collection.BulkWriteAsync(requests, options, ct) : collection.BulkWriteAsync(session, requests, options, ct);
    }

    public IAggregateFluent<BsonDocument> Aggregate() => session is null ? collection.Aggregate() : collection.Aggregate(session);
}
