using ImageScanning.ScanRouter.Data;
using ImageScanning.TestSupport;
using MongoDB.Driver;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>The store contract on MongoDB: MONGODB_URI or a Testcontainers MongoDB, else every test reports a skip.</summary>
[TestFixture]
public class MongoScanRouterStoreTests : ScanRouterStoreContract
{
    private IMongoDatabase? _database;

    protected override async Task<IScanRouterStore> CreateStoreAsync()
    {
        _database = await MongoTestDatabase.CreateOrIgnoreAsync("scanrouter");
        var store = new MongoScanRouterStore(_database);
        await store.EnsureIndexesAsync();
        return store;
    }

    protected override async Task DestroyStoreAsync()
    {
        if (_database is not null) await _database.Client.DropDatabaseAsync(_database.DatabaseNamespace.DatabaseName);
        _database = null;
    }
}
