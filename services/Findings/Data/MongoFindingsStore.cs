using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace ImageScanning.Findings.Data;

/// <summary>Production store: one document per scan in the findings database.</summary>
public sealed class MongoFindingsStore : IFindingsStore
{
    private readonly IMongoCollection<ScanDocument> _scans;

    public MongoFindingsStore(IMongoDatabase database)
    {
        _scans = database.GetCollection<ScanDocument>("scans");
        _scans.Indexes.CreateMany([
            new CreateIndexModel<ScanDocument>(Builders<ScanDocument>.IndexKeys.Ascending(d => d.ImageKey).Descending(d => d.CompletedAt)),
            new CreateIndexModel<ScanDocument>(Builders<ScanDocument>.IndexKeys.Descending(d => d.CompletedAt)),
        ]);
    }

    public Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default) =>
        _scans.ReplaceOneAsync(
            d => d.Id == scan.ScanId.ToString(),
            new ScanDocument { Id = scan.ScanId.ToString(), ImageKey = scan.Key, CompletedAt = scan.CompletedAt.UtcDateTime, Record = FindingsJson.Serialize(scan) },
            new ReplaceOptions { IsUpsert = true },
            cancellationToken);

    public async Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        var key = ImageScanRecord.ImageKey(registry, repository, digest);
        var document = await _scans.Find(d => d.ImageKey == key).SortByDescending(d => d.CompletedAt).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : FindingsJson.Deserialize(document.Record);
    }

    public async Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default)
    {
        var after = completedAfter?.UtcDateTime ?? DateTime.MinValue;
        var documents = await _scans.Find(d => d.CompletedAt > after).SortByDescending(d => d.CompletedAt)
            .Limit(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
        return documents.Select(d => FindingsJson.Deserialize(d.Record)).ToList();
    }

    private sealed class ScanDocument
    {
        [BsonId] public required string Id { get; init; }
        public required string ImageKey { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime CompletedAt { get; init; }
        public required string Record { get; init; }
        [BsonExtraElements] public BsonDocument? Extra { get; init; }
    }
}
