using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.TestSupport;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>
/// The contract on MongoDB: runs where MONGODB_URI names a replica set (every chunk is a transaction) or Docker is up, otherwise
/// every test is reported as skipped with the reason (never passed). Plus what only MongoDB has: the document size limit.
/// </summary>
[TestFixture]
public sealed class MongoAdvisoryStoreTests : AdvisoryStoreContract
{
    private IMongoDatabase? database;

    protected override async Task<IAdvisoryStore> CreateStoreAsync(TimeProvider clock)
    {
        database = await MongoTestDatabase.CreateOrIgnoreAsync("advisories");
        var hello = await database.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1));
        if (!hello.Contains("setName")) Assert.Ignore("MongoDB advisory store tests skipped: the server is not a replica set, so it has no transactions.");
        var store = new MongoAdvisoryStore(database, clock);
        await store.EnsureIndexesAsync();
        return store;
    }

    [Test]
    public async Task An_oversized_advisory_is_rejected_alone_and_the_rest_of_its_chunk_is_stored()
    {
        var raw = OsvCorpus.Raw("debian", "DLA-3008-1");
        var (huge, hugeRaw) = MongoAdvisoryDocumentTests.Oversized("DLA-HUGE-1");

        var results = await Store.UpsertManyAsync([(OsvParser.Parse(raw), raw), (huge, hugeRaw)]);

        var (stored, rejected) = (await Store.GetAsync("DLA-3008-1"), await Store.GetAsync("DLA-HUGE-1"));
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Change), Is.EqualTo(new[] { AdvisoryChange.New, AdvisoryChange.Rejected }));
            Assert.That(results[1].Rejection, Does.Contain("DLA-HUGE-1").And.Contain("16777216"));
            Assert.That(stored, Is.Not.Null);
            Assert.That(rejected, Is.Null);
        });
    }

    [Test]
    public async Task An_import_reports_the_oversized_advisory_as_a_failure_with_the_reason()
    {
        var directory = Directory.CreateTempSubdirectory("osv-huge-").FullName;
        try
        {
            File.Copy(OsvCorpus.PathOf("debian", "DLA-3008-1"), Path.Combine(directory, "DLA-3008-1.json"));
            await File.WriteAllTextAsync(Path.Combine(directory, "DLA-HUGE-1.json"), MongoAdvisoryDocumentTests.Oversized("DLA-HUGE-1").Raw);

            var result = await new OsvImporter(Store, new OsvImportOptions { MaxRecordBytes = 64L * 1024 * 1024 }).ImportDirectoryAsync(directory);

            Assert.That((result.Added, result.Failed), Is.EqualTo((1, 1)));
            Assert.That(result.Failures.Single().Name, Is.EqualTo("DLA-HUGE-1"));
            Assert.That(result.Failures.Single().Reason, Does.Contain("16 MiB"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    protected override async Task DestroyStoreAsync()
    {
        if (database is not null) await database.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName);
    }
}
