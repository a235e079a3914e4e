using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace ImageScanning.Findings.Data;

/// <summary>Production store: one document per scan in the service's database ("scans").</summary>
public sealed class MongoFindingsStore : IFindingsStore
{
    public const string ScansCollection = "scans";

    private static readonly FilterDefinitionBuilder<ScanDocument> Filter = Builders<ScanDocument>.Filter;
    private static readonly SortDefinition<ScanDocument> NewestFirst = Builders<ScanDocument>.Sort.Descending(d => d.CompletedAt);

    private readonly MongoServiceDatabase _database;
    private readonly SessionCollection<ScanDocument> _scans;

    public MongoFindingsStore(MongoServiceDatabase database) : this(database, null) =>
        _scans.Collection.Indexes.CreateMany([
            new CreateIndexModel<ScanDocument>(Builders<ScanDocument>.IndexKeys.Ascending(d => d.ImageKey).Descending(d => d.CompletedAt)),
            new CreateIndexModel<ScanDocument>(Builders<ScanDocument>.IndexKeys.Descending(d => d.CompletedAt)),
        ]);

    private MongoFindingsStore(MongoServiceDatabase database, IClientSessionHandle? session)
    {
        _database = database;
        _scans = new SessionCollection<ScanDocument>(database.Database.GetCollection<ScanDocument>(ScansCollection), session);
    }

    public IFindingsStore In(UnitOfWork work) => new MongoFindingsStore(_database, _database.Join(work).Session);

    public Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default) =>
        _scans.ReplaceOneAsync(
            SessionCollection<ScanDocument>.ById(scan.ScanId.ToString()),
            new ScanDocument { Id = scan.ScanId.ToString(), ImageKey = scan.Key, CompletedAt = scan.CompletedAt.UtcDateTime, Record = FindingsJson.Serialize(scan) },
            new ReplaceOptions { IsUpsert = true },
            cancellationToken);

    public async Task<ImageScanRecord?> GetScanAsync(Guid scanId, CancellationToken cancellationToken = default)
    {
        var document = await _scans.Find(SessionCollection<ScanDocument>.ById(scanId.ToString())).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : FindingsJson.Deserialize(document.Record);
    }

    public async Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        var key = ImageScanRecord.ImageKey(registry, repository, digest);
        var document = await _scans.Find(Filter.Eq(d => d.ImageKey, key)).Sort(NewestFirst).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : FindingsJson.Deserialize(document.Record);
    }

    public async Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default)
    {
        var after = completedAfter?.UtcDateTime ?? DateTime.MinValue;
        var documents = await _scans.Find(Filter.Gt(d => d.CompletedAt, after)).Sort(NewestFirst)
            .Limit(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
        return documents.Select(d => FindingsJson.Deserialize(d.Record)).ToList();
    }

    internal sealed class ScanDocument
    {
        [BsonId] public required string Id { get; init; }
        public required string ImageKey { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime CompletedAt { get; init; }
        public required string Record { get; init; }
        [BsonExtraElements] public BsonDocument? Extra { get; init; }
    }
}
