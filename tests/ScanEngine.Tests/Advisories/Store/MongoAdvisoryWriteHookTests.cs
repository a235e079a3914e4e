using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.TestSupport;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>
/// The write-hook contract on MongoDB: a transaction per chunk, so it needs a replica set. Runs where MONGODB_URI names one (or
/// Docker is up); otherwise, and on a standalone server, every test is reported as skipped with the reason, never passed.
/// </summary>
[TestFixture]
public sealed class MongoAdvisoryWriteHookTests : AdvisoryWriteHookContract
{
    private const string Markers = "markers";
    private IMongoDatabase? database;

    protected override async Task<IAdvisoryStore> CreateStoreAsync(IAdvisoryWriteHook hook)
    {
        database = await MongoTestDatabase.CreateOrIgnoreAsync("advisoryhook");
        var hello = await database.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1));
        if (!hello.Contains("setName"))
            Assert.Ignore("MongoDB write-hook tests skipped: the server (MONGODB_URI, or the Testcontainers one) is not a replica set, so it has no transactions; the SQLite write-hook tests ran.");
        // Collections cannot be created inside a transaction on older servers: create them first.
        await database.CreateCollectionAsync(Markers);
        await database.CreateCollectionAsync(MongoAdvisoryStore.CollectionName);
        return new MongoAdvisoryStore(database, writeHook: hook);
    }

    protected override async Task DestroyStoreAsync()
    {
        if (database is not null) await database.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName);
    }

    protected override async Task WriteMarkersAsync(AdvisoryWriteTransaction transaction, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var mongo = (MongoAdvisoryWriteTransaction)transaction;
        if (ids.Count == 0) return;
        await mongo.Database.GetCollection<BsonDocument>(Markers)
            .InsertManyAsync(mongo.Session, ids.Select(id => new BsonDocument("advisoryId", id)), cancellationToken: ct);
    }

    protected override async Task<IReadOnlyList<string>> CommittedMarkersAsync() =>
        (await database!.GetCollection<BsonDocument>(Markers).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync())
            .Select(d => d["advisoryId"].AsString).ToList();

    protected override async Task<(long Outside, long Inside)> CountAdvisoriesAsync(AdvisoryWriteTransaction transaction, CancellationToken ct)
    {
        var mongo = (MongoAdvisoryWriteTransaction)transaction;
        var advisories = mongo.Database.GetCollection<BsonDocument>(MongoAdvisoryStore.CollectionName);
        var inside = await advisories.CountDocumentsAsync(mongo.Session, FilterDefinition<BsonDocument>.Empty, cancellationToken: ct);
        var outside = await advisories.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: ct);
        return (outside, inside);
    }
}
