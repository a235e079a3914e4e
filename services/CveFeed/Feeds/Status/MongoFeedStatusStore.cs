using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.CveFeed.Feeds.Status;

/// <summary>
/// One document per source in feed_status: { _id: name, kind, lastAttempt, lastSuccess, ... }. Read by _id and listed in _id order
/// (the _id index serves both), so it declares no index; the collection is created at start.
/// </summary>
public sealed class MongoFeedStatusStore(IMongoDatabase database) : IFeedStatusStore, IMongoIndexOwner
{
    public const string CollectionName = "feed_status";

    private readonly IMongoCollection<BsonDocument> collection = database.GetCollection<BsonDocument>(CollectionName);
    private readonly MongoIndexes indexes = new(ct => MongoCollections.EnsureAsync(database, CollectionName, ct));

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => indexes.EnsureAsync(cancellationToken);

    public async Task<FeedStatus?> GetAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnsureIndexesAsync(ct);
        var doc = await collection.Find(Builders<BsonDocument>.Filter.Eq("_id", name)).FirstOrDefaultAsync(ct);
        return doc is null ? null : FromDocument(doc);
    }

    public async Task<IReadOnlyList<FeedStatus>> ListAsync(CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct);
        var docs = await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync(ct);
        return docs.Select(FromDocument).ToList();
    }

    public async Task SaveAsync(FeedStatus status, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        await EnsureIndexesAsync(ct);
        await collection.ReplaceOneAsync(Builders<BsonDocument>.Filter.Eq("_id", status.Name), ToDocument(status),
            new ReplaceOptions { IsUpsert = true }, ct);
    }

    private static BsonDocument ToDocument(FeedStatus s) => new()
    {
        ["_id"] = s.Name,
        ["kind"] = s.Kind,
        ["lastAttempt"] = Date(s.LastAttempt),
        ["lastSuccess"] = Date(s.LastSuccess),
        ["lastOutcome"] = Text(s.LastOutcome),
        ["lastError"] = Text(s.LastError),
        ["advisoryCount"] = s.AdvisoryCount,
        ["lastChangeCount"] = s.LastChangeCount,
        ["lastRejectedCount"] = s.LastRejectedCount,
        ["etag"] = Text(s.ETag),
        ["lastModified"] = Text(s.LastModified),
        ["cursor"] = Text(s.Cursor),
    };

    private static FeedStatus FromDocument(BsonDocument d) => new()
    {
        Name = d["_id"].AsString,
        Kind = d.GetValue("kind", "").AsString,
        LastAttempt = ReadDate(d, "lastAttempt"),
        LastSuccess = ReadDate(d, "lastSuccess"),
        LastOutcome = ReadText(d, "lastOutcome"),
        LastError = ReadText(d, "lastError"),
        AdvisoryCount = d.GetValue("advisoryCount", 0L).ToInt64(),
        LastChangeCount = d.GetValue("lastChangeCount", 0).ToInt32(),
        LastRejectedCount = d.GetValue("lastRejectedCount", 0).ToInt32(),
        ETag = ReadText(d, "etag"),
        LastModified = ReadText(d, "lastModified"),
        Cursor = ReadText(d, "cursor"),
    };

    private static BsonValue Date(DateTimeOffset? value) => value is { } v ? new BsonDateTime(v.UtcDateTime) : BsonNull.Value;
    private static BsonValue Text(string? value) => value is null ? BsonNull.Value : new BsonString(value);

    private static DateTimeOffset? ReadDate(BsonDocument d, string field) =>
        d.GetValue(field, BsonNull.Value) is BsonDateTime t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : null;

    private static string? ReadText(BsonDocument d, string field) => d.GetValue(field, BsonNull.Value) is BsonString s ? s.AsString : null;
}
