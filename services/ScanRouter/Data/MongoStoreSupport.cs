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

    public static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    public static readonly UpdateDefinitionBuilder<BsonDocument> Update = Builders<BsonDocument>.Update;

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
}

/// <summary>
/// A collection used in or out of a unit of work: with the work's session every call passes it, since a write outside the session
/// to a document the open transaction touched would conflict with it (and a read outside it would not see the work's writes).
/// </summary>
internal readonly struct SessionCollection(IMongoCollection<BsonDocument> collection, IClientSessionHandle? session)
{
    public bool InTransaction => session is not null;

    public IFindFluent<BsonDocument, BsonDocument> Find(FilterDefinition<BsonDocument> filter) =>
        session is null ? collection.Find(filter) : collection.Find(session, filter);

    public Task InsertOneAsync(BsonDocument document, CancellationToken ct) =>
        session is null ? collection.InsertOneAsync(document, cancellationToken: ct) : collection.InsertOneAsync(session, document, cancellationToken: ct);

    public Task<UpdateResult> UpdateOneAsync(FilterDefinition<BsonDocument> filter, UpdateDefinition<BsonDocument> update, CancellationToken ct, bool upsert = false)
    {
        var options = new UpdateOptions { IsUpsert = upsert };
        return session is null ? collection.UpdateOneAsync(filter, update, options, ct) : collection.UpdateOneAsync(session, filter, update, options, ct);
    }

    public Task<UpdateResult> UpdateManyAsync(FilterDefinition<BsonDocument> filter, UpdateDefinition<BsonDocument> update, CancellationToken ct) =>
        session is null ? collection.UpdateManyAsync(filter, update, cancellationToken: ct) : collection.UpdateManyAsync(session, filter, update, cancellationToken: ct);

    public Task<ReplaceOneResult> ReplaceOneAsync(FilterDefinition<BsonDocument> filter, BsonDocument document, bool upsert, CancellationToken ct)
    {
        var options = new ReplaceOptions { IsUpsert = upsert };
        return session is null ? collection.ReplaceOneAsync(filter, document, options, ct) : collection.ReplaceOneAsync(session, filter, document, options, ct);
    }

    public Task<DeleteResult> DeleteOneAsync(FilterDefinition<BsonDocument> filter, CancellationToken ct) =>
        session is null ? collection.DeleteOneAsync(filter, ct) : collection.DeleteOneAsync(session, filter, cancellationToken: ct);

    public Task<DeleteResult> DeleteManyAsync(FilterDefinition<BsonDocument> filter, CancellationToken ct) =>
        session is null ? collection.DeleteManyAsync(filter, ct) : collection.DeleteManyAsync(session, filter, cancellationToken: ct);

    public Task<BsonDocument> FindOneAndUpdateAsync(
        FilterDefinition<BsonDocument> filter, UpdateDefinition<BsonDocument> update, FindOneAndUpdateOptions<BsonDocument> options, CancellationToken ct) =>
        session is null ? collection.FindOneAndUpdateAsync(filter, update, options, ct) : collection.FindOneAndUpdateAsync(session, filter, update, options, ct);

    public Task<IAsyncCursor<T>> DistinctAsync<T>(string field, FilterDefinition<BsonDocument> filter, CancellationToken ct) =>
        session is null
            ? collection.DistinctAsync<T>(field, filter, cancellationToken: ct)
            : collection.DistinctAsync<T>(session, field, filter, cancellationToken: ct);

    public IAggregateFluent<BsonDocument> Aggregate() => session is null ? collection.Aggregate() : collection.Aggregate(session);
}
