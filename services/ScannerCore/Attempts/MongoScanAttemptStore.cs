using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScannerCore.Attempts;

/// <summary>
/// The scan_attempts collection of the scanners' Mongo database: one document per scan id and scanner. Joined with a unit of work,
/// every call goes through its session (a write outside it to a document the transaction touched would conflict with it).
/// </summary>
public sealed class MongoScanAttemptStore : IScanAttemptStore, IMongoIndexOwner
{
    private const string Collection = "scan_attempts";
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly MongoServiceDatabase _database;
    private readonly IMongoCollection<BsonDocument> _attempts;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;

    public MongoScanAttemptStore(MongoServiceDatabase database) : this(database, null, null) { }

    private MongoScanAttemptStore(MongoServiceDatabase database, IClientSessionHandle? session, MongoIndexes? indexes)
    {
        _database = database;
        _attempts = database.Database.GetCollection<BsonDocument>(Collection);
        _session = session;
        var attempts = _attempts;
        _indexes = indexes ?? new MongoIndexes(ct => attempts.Indexes.CreateManyAsync(Indexes, ct));
    }

    /// <summary>
    /// A scan's attempts by scanner (CountUnfinishedAsync counts on the index alone, ForgetAsync deletes by its prefix) and the prune
    /// by start time.
    /// </summary>
    private static IReadOnlyList<CreateIndexModel<BsonDocument>> Indexes { get; } =
    [
        new(Builders<BsonDocument>.IndexKeys.Ascending("scanId").Ascending("scanner"), new CreateIndexOptions { Name = "ix_scan_scanner" }),
        new(Builders<BsonDocument>.IndexKeys.Ascending("startedAt"), new CreateIndexOptions { Name = "ix_started" }),
    ];

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    public IScanAttemptStore In(UnitOfWork work) => new MongoScanAttemptStore(_database, _database.Join(work).Session, _indexes);

    public async Task RecordAsync(Guid scanId, Guid scanner, DateTimeOffset startedAt, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        // Again for the same scanner is the same attempt: the first start stays.
        var update = Builders<BsonDocument>.Update.SetOnInsert("scanId", scanId.ToString("D")).SetOnInsert("scanner", scanner.ToString("D"))
            .SetOnInsert("startedAt", startedAt.UtcDateTime);
        var filter = Filter.Eq("_id", Id(scanId, scanner));
        var options = new UpdateOptions { IsUpsert = true };
        if (_session is null) await _attempts.UpdateOneAsync(filter, update, options, ct);
        else await _attempts.UpdateOneAsync(_session, filter, update, options, ct);
    }

    public async Task<int> CountUnfinishedAsync(Guid scanId, Guid scanner, CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        var filter = Filter.Eq("scanId", scanId.ToString("D")) & Filter.Ne("scanner", scanner.ToString("D"));
        var count = _session is null
            ? await _attempts.CountDocumentsAsync(filter, cancellationToken: ct)
            : await _attempts.CountDocumentsAsync(_session, filter, cancellationToken: ct);
        return (int)count;
    }

    public Task EndAsync(Guid scanId, Guid scanner, CancellationToken ct = default) =>
        DeleteAsync(Filter.Eq("_id", Id(scanId, scanner)), ct);

    public Task ForgetAsync(Guid scanId, CancellationToken ct = default) => DeleteAsync(Filter.Eq("scanId", scanId.ToString("D")), ct);

    public Task<long> PruneAsync(DateTimeOffset startedBefore, CancellationToken ct = default) =>
        DeleteAsync(Filter.Lt("startedAt", startedBefore.UtcDateTime), ct);

    private async Task<long> DeleteAsync(FilterDefinition<BsonDocument> filter, CancellationToken ct)
    {
        await EnsureIndexesAsync(ct);
        var result = _session is null
            ? await _attempts.DeleteManyAsync(filter, ct)
            : await _attempts.DeleteManyAsync(_session, filter, cancellationToken: ct);
        return result.DeletedCount;
    }

    private static string Id(Guid scanId, Guid scanner) => scanId.ToString("D") + "|" + scanner.ToString("D");
}
