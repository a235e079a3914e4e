using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary><see cref="IScanUsageStore"/> in the ScanRouter's MongoDB database: one document per counted scan, the scan id its _id.</summary>
public sealed class MongoScanUsageStore : IScanUsageStore
{
    public const string ScanUsageCollection = "scan_usage";

    private readonly MongoServiceDatabase _database;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;

    public MongoScanUsageStore(MongoServiceDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _indexes = new MongoIndexes(CreateIndexesAsync);
    }

    private MongoScanUsageStore(MongoScanUsageStore store, IClientSessionHandle session)
    {
        _database = store._database;
        _indexes = store._indexes;
        _session = session;
    }

    public IScanUsageStore In(UnitOfWork work) => new MongoScanUsageStore(this, _database.Join(work).Session);

    private SessionCollection Usage => new(_database.Database.GetCollection<BsonDocument>(ScanUsageCollection), _session);

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; call it at start-up to fail fast.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private Task CreateIndexesAsync(CancellationToken cancellationToken) =>
        _database.Database.GetCollection<BsonDocument>(ScanUsageCollection).Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
            Builders<BsonDocument>.IndexKeys.Ascending("registry").Ascending("month").Ascending("repository"),
            new CreateIndexOptions { Name = "ix_registry_month" }), cancellationToken: cancellationToken);

    public async Task<bool> TryRecordScanUsageAsync(
        Guid scanId, string registry, string repository, ScanUsageKind kind, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        var id = scanId.ToString("D");
        var usage = Usage;
        // In a transaction a duplicate-key error would abort the whole unit of work: look first. (Two concurrent works inserting the
        // same id then conflict, and the retry finds the document.)
        if (usage.InTransaction && await usage.Find(Filter.Eq("_id", id)).AnyAsync(cancellationToken)) return false;
        try
        {
            await usage.InsertOneAsync(new BsonDocument
            {
                { "_id", id },
                { "registry", registry },
                { "repository", repository },
                { "month", UsageMonth.Of(at) },
                { "kind", kind.ToString() },
                { "countedAt", Date(at) },
            }, cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (IsDuplicateKey(e) && !usage.InTransaction)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<RepositoryUsageCount>> GetScanUsageAsync(string registry, int year, int month, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var documents = await Usage.Find(Filter.Eq("registry", registry) & Filter.Eq("month", UsageMonth.Of(year, month)))
            .Project(Builders<BsonDocument>.Projection.Include("repository").Include("kind").Exclude("_id"))
            .ToListAsync(cancellationToken);
        var counts = documents
            .GroupBy(d => d["repository"].AsString, StringComparer.Ordinal)
            .Select(g => new RepositoryUsageCount(g.Key,
                g.LongCount(d => d["kind"].AsString == nameof(ScanUsageKind.Initial)),
                g.LongCount(d => d["kind"].AsString == nameof(ScanUsageKind.Rescan))))
            .ToList();
        counts.Sort((a, b) => string.CompareOrdinal(a.Repository, b.Repository));
        return counts;
    }
}
