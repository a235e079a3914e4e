using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.Findings.Data;

/// <summary>
/// Production store: one document per scan in the service's database ("scans"):
/// <c>{ _id: scanId, ImageKey, CompletedAt, Record: &lt;Brotli JSON&gt;, RecordEncoding: "brotli" }</c> (field names as the
/// earlier class-mapped documents had them; an uncompressed <c>Record</c> string still reads). A scan still over the 16 MiB
/// document limit after compression fails with <see cref="MongoDocumentTooLargeException"/> before anything is written.
/// </summary>
public sealed class MongoFindingsStore : IFindingsStore, IMongoIndexOwner
{
    public const string ScansCollection = "scans";

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    /// <summary>Newest first; the id breaks ties between scans completed in the same millisecond, so the order is total.</summary>
    private static readonly SortDefinition<BsonDocument> NewestFirst = Builders<BsonDocument>.Sort.Descending("CompletedAt").Descending("_id");

    private readonly MongoServiceDatabase _database;
    private readonly SessionCollection<BsonDocument> _scans;
    private readonly MongoIndexes _indexes;

    public MongoFindingsStore(MongoServiceDatabase database) : this(database, null, null) { }

    private MongoFindingsStore(MongoServiceDatabase database, IClientSessionHandle? session, MongoIndexes? indexes)
    {
        _database = database;
        _scans = new SessionCollection<BsonDocument>(database.Database.GetCollection<BsonDocument>(ScansCollection), session);
        var collection = _scans.Collection;
        _indexes = indexes ?? new MongoIndexes(ct => CreateIndexesAsync(collection, ct));
    }

    public IFindingsStore In(UnitOfWork work) => new MongoFindingsStore(_database, _database.Join(work).Session, _indexes);

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    /// <summary>The indexes: the latest scan of an image, and scans completed after a time; both end with the tie-breaker.</summary>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> Indexes { get; } =
    [
        new(Builders<BsonDocument>.IndexKeys.Ascending("ImageKey").Descending("CompletedAt").Descending("_id"), new CreateIndexOptions { Name = "ix_image_newest" }),
        new(Builders<BsonDocument>.IndexKeys.Descending("CompletedAt").Descending("_id"), new CreateIndexOptions { Name = "ix_newest" }),
    ];

    public async Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var document = ToDocument(scan);
        await _scans.ReplaceOneAsync(SessionCollection<BsonDocument>.ById(scan.ScanId.ToString()), document, new ReplaceOptions { IsUpsert = true },
            cancellationToken);
    }

    /// <summary>The stored document of a scan, checked against the document limit (the offline size tests measure it).</summary>
    public static BsonDocument ToDocument(ImageScanRecord scan)
    {
        var document = new BsonDocument
        {
            ["_id"] = scan.ScanId.ToString(), ["ImageKey"] = scan.Key, ["CompletedAt"] = new BsonDateTime(scan.CompletedAt.UtcDateTime),
        };
        MongoCompressedJson.Set(document, "Record", FindingsJson.Serialize(scan));
        MongoDocumentLimit.EnsureFits(document, ScansCollection,
            $"the scan {scan.ScanId} of {scan.Key} ({scan.Findings.Count} findings)");
        return document;
    }

    /// <summary>The scan a stored document holds (compressed or, written before compression, plain).</summary>
    public static ImageScanRecord FromDocument(BsonDocument document) => FindingsJson.Deserialize(MongoCompressedJson.Read(document, "Record"));

    public async Task<ImageScanRecord?> GetScanAsync(Guid scanId, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var document = await _scans.Find(SessionCollection<BsonDocument>.ById(scanId.ToString())).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : FromDocument(document);
    }

    public async Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var key = ImageScanRecord.ImageKey(registry, repository, digest);
        var document = await _scans.Find(Filter.Eq("ImageKey", key)).Sort(NewestFirst).Limit(1).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : FromDocument(document);
    }

    public async Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var after = completedAfter?.UtcDateTime ?? DateTime.MinValue;
        var documents = await _scans.Find(Filter.Gt("CompletedAt", new BsonDateTime(after))).Sort(NewestFirst)
            .Limit(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
        return documents.Select(FromDocument).ToList();
    }

    private static Task CreateIndexesAsync(IMongoCollection<BsonDocument> scans, CancellationToken ct) => scans.Indexes.CreateManyAsync(Indexes, ct);
}
