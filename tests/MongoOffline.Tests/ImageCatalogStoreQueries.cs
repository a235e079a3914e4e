using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>The ScanRouter's image catalog: delivery de-duplication, images and tags, scan status, dispatches, quota, expiry.</summary>
public sealed class ImageCatalogStoreQueries : StoreQueryFixture<IImageCatalogStore>
{
    private const string Registry = "123456789012";

    protected override IImageCatalogStore CreateStore(MongoServiceDatabase database) => new MongoImageCatalogStore(database);

    protected override IImageCatalogStore Join(IImageCatalogStore store, UnitOfWork work) => store.In(work);

    private static ImageRecord Record(string digest, IReadOnlyList<string> tags) =>
        new(Registry, "team/app", digest, tags, "application/vnd.oci.image.manifest.v1+json", T0, null, null, null, null, null, T0);

    /// <summary>An image document as the store keeps it (what a find-and-modify returns after an upsert).</summary>
    private static BsonDocument Stored(string digest) => new()
    {
        ["_id"] = ObjectId.Empty, ["registry"] = Registry, ["repository"] = "team/app", ["digest"] = digest, ["tags"] = new BsonArray { "v1" },
        ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["pushedAt"] = T0.UtcDateTime, ["updatedAt"] = T0.UtcDateTime,
        ["scanStatus"] = nameof(ScanStatus.IN_PROGRESS), ["scanStatusAt"] = T0.UtcDateTime, ["lastScanId"] = ScanId.ToString("D"),
        ["currentScanType"] = nameof(ScanType.BASIC), ["currentScanTrigger"] = nameof(ScanTrigger.PUSH), ["scanDispatches"] = 1,
        ["scanDispatchedAt"] = T0.UtcDateTime,
    };

    protected override async Task DriveAsync(IImageCatalogStore store)
    {
        Assert.That(await store.TryRecordDeliveryAsync("delivery-1", T0), Is.True);
        await store.PurgeDeliveriesAsync(T0.AddDays(-7));

        Mongo.Reply(MongoImageCatalogStore.ImagesCollection, Stored(DigestA));
        var upserted = await store.UpsertImageAsync(Record(DigestA, ["v1", "latest"]));
        Assert.That(upserted.Digest, Is.EqualTo(DigestA));

        Mongo.Reply(MongoImageCatalogStore.ImagesCollection, Stored(DigestA));
        var image = await store.GetImageAsync(Registry, "team/app", DigestA);
        Assert.That(image?.CurrentScan, Is.EqualTo(new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 1, T0)), "the dispatch reads back");
        await store.ListImagesAsync(Registry, "team/", new ImagePageRequest(50));
        await store.ListImagesAsync(Registry, null, new ImagePageRequest(50, ImagePageToken.Encode("team/app", DigestA)));
        await store.ListRepositoryImagesAsync(Registry, "team/app", new ImagePageRequest(50, ImagePageToken.Encode("team/app", DigestA)));
        await store.ListRepositoriesAsync(Registry);
        await store.ListRepositorySummariesAsync(Registry);
        await store.GetRepositoryAsync(Registry, "team/app");
        await store.FindImageByTagAsync(Registry, "team/app", "latest");

        // CreateRepository on its own transaction; DeleteRepository forced, of a created repository holding one image.
        Assert.That(await store.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("team/new", T0, "IMMUTABLE")), Is.True);
        Mongo.Reply(MongoImageCatalogStore.ImagesCollection, new BsonDocument { ["_id"] = "team/app", ["firstPush"] = T0.UtcDateTime, ["images"] = 1 });
        Mongo.Reply(MongoImageCatalogStore.RepositoriesCollection, new BsonDocument
        {
            ["_id"] = ObjectId.Empty, ["registry"] = Registry, ["repository"] = "team/app", ["createdAt"] = T0.UtcDateTime, ["imageTagMutability"] = "MUTABLE",
        });
        Mongo.Reply(MongoImageCatalogStore.ImagesCollection, Stored(DigestA));
        var deletion = await store.DeleteRepositoryAsync(Registry, "team/app", force: true);
        Assert.That((deletion.Outcome, deletion.Images.Count), Is.EqualTo((RepositoryDeletionOutcome.DELETED, 1)));

        await store.SetScanStatusAsync(Registry, "team/app", DigestA, ScanStatus.COMPLETE, "done", ScanId, T0.AddMinutes(1));
        await store.SetOsEndOfLifeAsync(Registry, "team/app", DigestA, new DateOnly(2024, 6, 30));
        await store.StartScanAsync(Registry, "team/app", DigestB, ScanId, new ScanDispatch(ScanType.ENHANCED, ScanTrigger.RESCAN, 1, T0));
        await store.ListInProgressScansAsync(T0.AddMinutes(-10), 100);
        await store.ListInProgressScansAsync(T0.AddMinutes(-10), 100, new ImageKey(Registry, "team/app", DigestA));
        await store.TryRedispatchScanAsync(Registry, "team/app", DigestB, ScanId, 1, new ScanDispatch(ScanType.ENHANCED, ScanTrigger.RESCAN, 2, T0.AddMinutes(5)));
        await store.TryFailStuckScanAsync(Registry, "team/app", DigestB, ScanId, 2, "no scanner answered", T0.AddMinutes(30));
        await store.TryReserveBasicScanAsync(Registry, "team/app", DigestA, T0);
        await store.RecordPullAsync(Registry, "team/app", DigestA, T0.AddHours(1));
        await store.TryExpireImageAsync(Registry, "team/app", DigestA, T0.AddDays(30));
    }

    /// <summary>As the webhook consumer runs it: the delivery recorded, the image merged and its scan started in one unit of work.</summary>
    protected override async Task DriveInWorkAsync(IImageCatalogStore joined, UnitOfWork work)
    {
        await joined.TryRecordDeliveryAsync("delivery-2", T0);
        Mongo.Reply(MongoImageCatalogStore.ImagesCollection, Stored(DigestB));
        await joined.UpsertImageAsync(Record(DigestB, ["latest"]));
        await joined.StartScanAsync(Registry, "team/app", DigestB, ScanId, new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 1, T0));
        // As the scan-result handler records a completed scan's OS end of life.
        await joined.SetOsEndOfLifeAsync(Registry, "team/app", DigestB, null);
        // As ScanRouter's CreateRepository and DeleteRepository consumers run them (the deletion with its RepositoryDeleted event).
        await joined.TryCreateRepositoryAsync(Registry, new CatalogRepositoryRecord("team/other", T0, "MUTABLE"));
        await joined.DeleteRepositoryAsync(Registry, "team/gone", force: false);
    }
}
