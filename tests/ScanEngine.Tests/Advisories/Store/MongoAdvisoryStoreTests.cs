using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.TestSupport;
using MongoDB.Driver;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>
/// The contract on MongoDB: runs where MONGODB_URI is set or Docker is up, otherwise every test is
/// reported as skipped with the reason (never passed).
/// </summary>
[TestFixture]
public sealed class MongoAdvisoryStoreTests : AdvisoryStoreContract
{
    private IMongoDatabase? database;

    protected override async Task<IAdvisoryStore> CreateStoreAsync(TimeProvider clock)
    {
        database = await MongoTestDatabase.CreateOrIgnoreAsync("advisories");
        return new MongoAdvisoryStore(database, clock);
    }

    protected override async Task DestroyStoreAsync()
    {
        if (database is not null) await database.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName);
    }
}
