using ImageScanning.CveFeed.Importing;
using ImageScanning.MongoOffline.Tests.Recording;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using MongoDB.Bson;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>
/// The advisory database as CveFeed writes it (with its NewCveAdded announcements in each chunk's transaction) and as the scanners
/// read it, on real OSV records from the corpus.
/// </summary>
public sealed class AdvisoryStoreQueries : StoreQueryFixture<IAdvisoryStore>
{
    private static readonly string[] Records = ["debian/DLA-3008-1.json", "debian/DLA-3012-1.json"];

    private static (OsvAdvisory Advisory, string Json)[] Advisories() =>
        Records.Select(r => File.ReadAllText(Corpus.PathOf("osv", r))).Select(json => (OsvParser.Parse(json), json)).ToArray();

    private static IAdvisoryStore Store(MongoServiceDatabase database) =>
        new MongoAdvisoryStore(database.Database, new FixedClock(T0), new AdvisoryAnnouncements(database, new OutboxChannel(), new FixedClock(T0)));

    protected override IAdvisoryStore CreateStore(MongoServiceDatabase database) => Store(database);

    protected override IAdvisoryStore Join(IAdvisoryStore store, UnitOfWork work) => store;

    protected override async Task DriveAsync(IAdvisoryStore store)
    {
        var advisories = Advisories();
        await store.UpsertManyAsync(advisories);
        var written = Mongo.WrittenTo(MongoAdvisoryStore.CollectionName);
        Assert.That(written, Has.Count.EqualTo(advisories.Length), "one document per advisory");
        await store.UpsertAsync(advisories[0].Advisory, advisories[0].Json);

        var package = advisories[0].Advisory.Affected[0].Package!;
        Mongo.Reply(MongoAdvisoryStore.CollectionName, written[0]);
        var found = await store.FindByPackageAsync(package.Ecosystem, package.Name);
        Assert.That(found.Select(a => a.Id), Is.EqualTo(new[] { advisories[0].Advisory.Id }), "the advisory reads back by package");
        Mongo.Reply(MongoAdvisoryStore.CollectionName, [.. written]);
        await store.FindByPackagesAsync([new AdvisoryPackageKey(package.Ecosystem, package.Name), new AdvisoryPackageKey("PyPI", "PyYAML")]);
        Mongo.Reply(MongoAdvisoryStore.CollectionName, written[0]);
        Assert.That((await store.GetAsync(advisories[0].Advisory.Id))?.Id, Is.EqualTo(advisories[0].Advisory.Id));
        Mongo.Reply(MongoAdvisoryStore.CollectionName, written[0]);
        var byAlias = await store.FindByIdsOrAliasesAsync([advisories[0].Advisory.Aliases.FirstOrDefault() ?? advisories[0].Advisory.Id]);
        Assert.That(byAlias.Select(a => a.RawJson), Is.EqualTo(new[] { advisories[0].Json }), "the raw record reads back unchanged");
        await store.CountAsync();
        await store.LastChangedAsync();
        // CveFeed's export bundle (GET /api/v1/advisories/export): every record in id order, as stored (read on the store itself:
        // the export is a second interface the call tracker does not wrap).
        Mongo.Reply(MongoAdvisoryStore.CollectionName, [.. written]);
        var exported = new List<AdvisoryJson>();
        await foreach (var record in ((IAdvisoryExportSource)Store(Database)).ReadAllJsonAsync()) exported.Add(record);
        Assert.That(exported.Select(e => e.RawJson), Is.EquivalentTo(advisories.Select(a => a.Json)), "the export reads every record back as stored");
    }

    protected override Task? DriveInWorkAsync(IAdvisoryStore joined, UnitOfWork work) => null;

    [Test]
    public async Task An_import_chunk_and_its_announcements_are_one_transaction()
    {
        var mongo = new RecordingMongo();
        var store = Store(new MongoServiceDatabase(mongo.Database, "cvefeed"));
        await store.UpsertManyAsync(Advisories());
        var operations = mongo.Operations.Where(o => o.Command != "createIndexes").ToList();
        var transaction = operations.First(o => o.Command == "startTransaction").Transaction!.Value;
        Assert.Multiple(() =>
        {
            Assert.That(MongoChecks.OutsideTransaction(operations, transaction), Is.Empty);
            Assert.That(operations.Count(o => o.Collection == MongoOutboxStore.OutboxCollection), Is.EqualTo(Records.Length), "one NewCveAdded per new advisory");
            Assert.That(operations[^1].Command, Is.EqualTo("commitTransaction"));
        });
    }
}
