using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>CveFeed's status per source (one small document per configured feed).</summary>
public sealed class FeedStatusStoreQueries : StoreQueryFixture<IFeedStatusStore>
{
    protected override IReadOnlyDictionary<string, string> ScansAllowed { get; } =
        new Dictionary<string, string> { ["feed_status"] = "one document per configured source: a handful" };

    protected override IFeedStatusStore CreateStore(MongoServiceDatabase database) => new MongoFeedStatusStore(database.Database);

    protected override IFeedStatusStore Join(IFeedStatusStore store, UnitOfWork work) => store;

    protected override async Task DriveAsync(IFeedStatusStore store)
    {
        var status = new FeedStatus
        {
            Name = "osv-debian", Kind = "osv", LastAttempt = T0, LastSuccess = T0, LastOutcome = "ok", AdvisoryCount = 41234, LastChangeCount = 12,
            ETag = "\"abc\"", LastModified = "Sat, 01 Mar 2025 11:00:00 GMT", Cursor = "2025-03-01T11:00:00Z",
        };
        await store.SaveAsync(status);
        var stored = Mongo.WrittenTo("feed_status")[^1];
        Mongo.Reply("feed_status", stored);
        Assert.That(Json(await store.GetAsync("osv-debian")), Is.EqualTo(Json(status)), "the status reads back");
        Mongo.Reply("feed_status", stored);
        Assert.That(await store.ListAsync(), Has.Count.EqualTo(1));
    }

    protected override Task? DriveInWorkAsync(IFeedStatusStore joined, UnitOfWork work) => null;
}
