using ImageScanning.MongoOffline.Tests.Recording;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>The start-up that creates every store's and every outbox's indexes before the service takes messages.</summary>
public sealed class IndexStartupTests
{
    [Test]
    public async Task Start_up_creates_the_indexes_of_each_registered_store_and_of_the_databases_outbox()
    {
        var mongo = new RecordingMongo();
        var database = new MongoServiceDatabase(mongo.Database, "scanrouter");
        var services = new ServiceCollection()
            .AddKeyedSingleton<IServiceDatabase>("scanrouter", database)
            .AddSingleton<IImageCatalogStore>(new MongoImageCatalogStore(database))
            .AddSingleton<IScanUsageStore>(new MongoScanUsageStore(database))
            .BuildServiceProvider();
        var startup = new MongoIndexStartup(services,
            [new MongoIndexedStore(typeof(IImageCatalogStore)), new MongoIndexedStore(typeof(IScanUsageStore)), new MongoIndexedStore(typeof(IImageCatalogStore))],
            [new MongoIndexedDatabase("scanrouter")], NullLogger<MongoIndexStartup>.Instance);

        await startup.StartAsync(CancellationToken.None);
        var first = mongo.Take();
        await startup.StartAsync(CancellationToken.None);

        var collections = first.Where(o => o.Command == "createIndexes").Select(o => o.Collection).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(collections, Is.SupersetOf(new[]
            {
                MongoImageCatalogStore.ImagesCollection, MongoImageCatalogStore.DeliveriesCollection, MongoImageCatalogStore.RepositoriesCollection,
                MongoScanUsageStore.ScanUsageCollection,
                MongoOutboxStore.OutboxCollection, MongoOutboxStore.InboxCollection,
            }));
            Assert.That(first.Where(o => o.Command == "createIndexes").GroupBy(o => o.Parts.ToString()).Where(g => g.Count() > 1), Is.Empty,
                "a store registered twice builds its indexes once");
            Assert.That(mongo.Take().Where(o => o.Command == "createIndexes"), Is.Empty, "a second start creates nothing again");
        });
    }
}
