using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>Subscriptions and their webhook delivery queue.</summary>
public sealed class SubscriptionStoreQueries : StoreQueryFixture<ISubscriptionStore>
{
    private static readonly Guid SubscriptionId = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid DeliveryId = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000001");

    protected override ISubscriptionStore CreateStore(MongoServiceDatabase database) => new MongoSubscriptionStore(database);

    protected override ISubscriptionStore Join(ISubscriptionStore store, UnitOfWork work) => store.In(work);

    private static Subscription Subscription() =>
        new(SubscriptionId, "https://hooks.example/scan", "{\"detail-type\":[\"ECR Image Scan\"]}", false, "ops", "protected-secret", T0, T0);

    private static WebhookDelivery Delivery() =>
        new(DeliveryId, SubscriptionId, "event-1", "ECR Image Scan", "application/json", "{}", DeliveryState.Pending, 0, T0, null, T0, null);

    protected override async Task DriveAsync(ISubscriptionStore store)
    {
        await store.SaveSubscriptionAsync(Subscription());
        var stored = Mongo.WrittenTo(MongoSubscriptionStore.SubscriptionsCollection)[^1];
        Mongo.Reply(MongoSubscriptionStore.SubscriptionsCollection, stored);
        Assert.That(Json(await store.GetSubscriptionAsync(SubscriptionId)), Is.EqualTo(Json(Subscription())), "the subscription reads back");
        Mongo.Reply(MongoSubscriptionStore.SubscriptionsCollection, stored);
        Assert.That(await store.ListSubscriptionsAsync(), Has.Count.EqualTo(1));

        Assert.That(await store.EnqueueAsync([Delivery()]), Is.EqualTo(1));
        var delivery = Mongo.WrittenTo(MongoSubscriptionStore.DeliveriesCollection)[^1];
        Mongo.Reply(MongoSubscriptionStore.DeliveriesCollection, delivery);
        var claimed = await store.ClaimDueAsync(T0, TimeSpan.FromMinutes(1), 10);
        Assert.That(claimed.Select(d => d.Id), Is.EqualTo(new[] { DeliveryId }), "the claimed delivery reads back");
        await store.MarkRetryAsync(DeliveryId, 1, "503 from the target", T0.AddMinutes(1));
        await store.MarkDeadLetteredAsync(DeliveryId, 5, "503 from the target", T0.AddHours(1));
        await store.MarkDeliveredAsync(DeliveryId, T0.AddHours(2));
        await store.ListDeadLettersAsync(SubscriptionId);
        await store.ReplayDeadLettersAsync(SubscriptionId, T0.AddHours(3));
        await store.PruneDeliveredAsync(T0.AddDays(-7));
        await store.CountPendingAsync();
        await store.DeleteSubscriptionAsync(SubscriptionId);
    }

    /// <summary>As ImageScanned's consumer fans a ScanCompleted out: the subscriptions read and the deliveries queued in its unit of work.</summary>
    protected override async Task DriveInWorkAsync(ISubscriptionStore joined, UnitOfWork work)
    {
        await joined.ListSubscriptionsAsync();
        await joined.EnqueueAsync([Delivery() with { Id = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002") }]);
    }
}
