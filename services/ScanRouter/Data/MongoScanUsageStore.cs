using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IScanUsageStore"/> in the ScanRouter's MongoDB database: one document per counted scan, the scan id its _id (so a
/// redelivered result counts once); a month's counts are one covered aggregation.
/// </summary>
public sealed class MongoScanUsageStore : IScanUsageStore, IMongoIndexOwner
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

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; MongoIndexStartup calls it at start-up.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    // Covers the month's counts, the kind they group by included.
    private Task CreateIndexesAsync(CancellationToken cancellationToken) =>
        _database.Database.GetCollection<BsonDocument>(ScanUsageCollection).Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
            IndexKeys.Ascending("registry").Ascending("month").Ascending("repository").Ascending("kind"),
            new CreateIndexOptions { Name = "ix_registry_month_repository_kind" }), cancellationToken: cancellationToken);

    public async Task<bool> TryRecordScanUsageAsync(
        Guid scanId, string registry, string repository, ScanUsageKind kind, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        var id = scanId.ToString("D");
        // Outside a transaction the record alone keeps a redelivered result from counting twice: majority and journaled.
        var usage = Usage.Durable();
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
        // Counted by the server from ix_registry_month_repository_kind alone: one row per (repository, kind), not one per scan.
        var groups = await Usage.Aggregate()
            .Match(Filter.Eq("registry", registry) & Filter.Eq("month", UsageMonth.Of(year, month)))
            .Group(new BsonDocument
            {
                ["_id"] = new BsonDocument { ["repository"] = "$repository", ["kind"] = "$kind" },
                ["scans"] = new BsonDocument("$sum", 1),
            })
            .ToListAsync(cancellationToken);
        var counts = groups
            .Select(g => (Repository: g["_id"]["repository"].AsString, Kind: g["_id"]["kind"].AsString, Scans: g["scans"].ToInt64()))
            .GroupBy(g => g.Repository, StringComparer.Ordinal)
            .Select(g => new RepositoryUsageCount(g.Key,
                g.Where(k => k.Kind == nameof(ScanUsageKind.Initial)).Sum(k => k.Scans),
                g.Where(k => k.Kind == nameof(ScanUsageKind.Rescan)).Sum(k => k.Scans)))
            .ToList();
        counts.Sort((a, b) => string.CompareOrdinal(a.Repository, b.Repository));
        return counts;
    }
}
