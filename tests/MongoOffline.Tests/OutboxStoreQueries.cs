using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>The outbox and inbox of every service's database, and the unit of work that writes them.</summary>
public sealed class OutboxStoreQueries : StoreQueryFixture<IOutboxStore>
{
    private static readonly Guid MessageId = Guid.Parse("00000000-0000-0000-0000-000000000001");

    protected override IOutboxStore CreateStore(MongoServiceDatabase database) => database.Outbox;

    /// <summary>Every unit of work writes its inbox mark and its messages here.</summary>
    protected override bool JoinsUnitsOfWork => true;

    protected override IOutboxStore Join(IOutboxStore store, UnitOfWork work) => store;

    protected override async Task DriveAsync(IOutboxStore store)
    {
        Mongo.Reply(MongoOutboxStore.OutboxCollection, new BsonDocument("_id", MessageId.ToString("D")));
        Mongo.Reply(MongoOutboxStore.OutboxCollection, StoredMessage());
        var claimed = await store.ClaimDueAsync(T0, TimeSpan.FromMinutes(1), 100);
        Assert.That(claimed.Select(m => m.MessageId), Is.EqualTo(new[] { MessageId }), "the claimed document reads back");
        await store.MarkDispatchedAsync([MessageId], T0);
        await store.MarkFailedAsync(MessageId, "broker refused", T0.AddMinutes(1));
        await store.PruneAsync(T0.AddDays(-7), T0.AddDays(-30));
        await store.RequeueDispatchedSinceAsync(T0.AddMinutes(-5), 3, T0);
        Mongo.Reply(MongoOutboxStore.OutboxCollection, new BsonDocument("n", 2));
        Mongo.Reply(MongoOutboxStore.OutboxCollection, StoredMessage());
        var status = await store.GetStatusAsync();
        Assert.That(status.Pending, Is.EqualTo(2));
        await store.IsHandledAsync("Findings.ImageScanned", MessageId);
    }

    /// <summary>A unit of work as every consumer runs one: the inbox mark, then its messages into the outbox, then the commit.</summary>
    protected override async Task DriveInWorkAsync(IOutboxStore joined, UnitOfWork work)
    {
        Assert.That(await work.TryMarkHandledAsync("Findings.ImageScanned", MessageId, CancellationToken.None), Is.True);
        var image = new ImageRef("registry.example", "team/app", DigestA, ["latest"]);
        work.Publish(new AffectedPackageRef("Debian:12", "openssl"), MessageId);
        work.Send("basic-scanner", new ScanImage(MessageId, image, ScanType.BASIC, ScanTrigger.PUSH, T0));
    }

    private static BsonDocument StoredMessage() => new()
    {
        ["_id"] = MessageId.ToString("D"), ["messageType"] = "ImageScanning.Contracts.ImagePushed", ["destination"] = BsonNull.Value,
        ["body"] = "{}", ["traceParent"] = BsonNull.Value, ["createdAt"] = T0.UtcDateTime, ["position"] = 0,
        ["nextAttemptAt"] = T0.UtcDateTime, ["attempts"] = 0, ["dispatchedAt"] = BsonNull.Value, ["replays"] = 0,
    };
}
