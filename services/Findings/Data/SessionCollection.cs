using MongoDB.Driver;

namespace ImageScanning.Findings.Data;

/// <summary>
/// A collection as a store sees it: with the unit of work's session passed to every call when the store joined one, without a
/// session otherwise. One place to get that right: a call that forgot the session would write outside the transaction and
/// conflict with it.
/// </summary>
internal readonly struct SessionCollection<T>(IMongoCollection<T> collection, IClientSessionHandle? session)
{
    private static readonly FilterDefinitionBuilder<T> Filter = Builders<T>.Filter;

    public IMongoCollection<T> Collection => collection;

    public bool InTransaction => session is not null;

    public IFindFluent<T, T> Find(FilterDefinition<T> filter) => session is null ? collection.Find(filter) : collection.Find(session, filter);

    public IAggregateFluent<T> Aggregate() => session is null ? collection.Aggregate() : collection.Aggregate(session);

    public Task<long> CountDocumentsAsync(FilterDefinition<T> filter, CancellationToken ct) =>
        session is null ? collection.CountDocumentsAsync(filter, cancellationToken: ct) : collection.CountDocumentsAsync(session, filter, cancellationToken: ct);

    public Task InsertManyAsync(IEnumerable<T> documents, InsertManyOptions? options, CancellationToken ct) =>
        session is null ? collection.InsertManyAsync(documents, options, ct) : collection.InsertManyAsync(session, documents, options, ct);

    public Task<ReplaceOneResult> ReplaceOneAsync(FilterDefinition<T> filter, T replacement, ReplaceOptions? options, CancellationToken ct) =>
        session is null ? collection.ReplaceOneAsync(filter, replacement, options, ct) : collection.ReplaceOneAsync(session, filter, replacement, options, ct);

    public Task<UpdateResult> UpdateOneAsync(FilterDefinition<T> filter, UpdateDefinition<T> update, UpdateOptions? options, CancellationToken ct) =>
        session is null ? collection.UpdateOneAsync(filter, update, options, ct) : collection.UpdateOneAsync(session, filter, update, options, ct);

    public Task<UpdateResult> UpdateManyAsync(FilterDefinition<T> filter, UpdateDefinition<T> update, CancellationToken ct) =>
        session is null ? collection.UpdateManyAsync(filter, update, cancellationToken: ct) : collection.UpdateManyAsync(session, filter, update, cancellationToken: ct);

    public Task<T?> FindOneAndUpdateAsync(FilterDefinition<T> filter, UpdateDefinition<T> update, FindOneAndUpdateOptions<T> options, CancellationToken ct) =>
        (session is null ? collection.FindOneAndUpdateAsync(filter, update, options, ct) : collection.FindOneAndUpdateAsync(session, filter, update, options, ct))!;

    public Task<DeleteResult> DeleteOneAsync(FilterDefinition<T> filter, CancellationToken ct) =>
        session is null ? collection.DeleteOneAsync(filter, ct) : collection.DeleteOneAsync(session, filter, cancellationToken: ct);

    public Task<DeleteResult> DeleteManyAsync(FilterDefinition<T> filter, CancellationToken ct) =>
        session is null ? collection.DeleteManyAsync(filter, ct) : collection.DeleteManyAsync(session, filter, cancellationToken: ct);

    public Task<BulkWriteResult<T>> BulkWriteAsync(IEnumerable<WriteModel<T>> requests, BulkWriteOptions? options, CancellationToken ct) =>
        session is null ? collection.BulkWriteAsync(requests, options, ct) : collection.BulkWriteAsync(session, requests, options, ct);

    /// <summary>A filter on the document id (every store keys its documents by a string _id).</summary>
    public static FilterDefinition<T> ById(string id) => Filter.Eq("_id", id);
}
