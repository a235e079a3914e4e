using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>One behaviour suite that every ISubscriptionStore implementation must pass.</summary>
public abstract class SubscriptionStoreContractTests
{
    /// <summary>A new, empty service database and the store on it.</summary>
    protected abstract Task<(ISubscriptionStore Store, IServiceDatabase Database)> CreateAsync();

    private async Task<ISubscriptionStore> CreateStoreAsync() => (await CreateAsync()).Store;

    /// <summary>Another store instance on the database <see cref="CreateAsync"/> made last, through a database object of its own (another replica).</summary>
    protected abstract ISubscriptionStore CreateStoreOnSameDatabase();

    [Test]
    public async Task Two_store_instances_claiming_at_once_never_take_the_same_delivery()
    {
        var (store, _) = await CreateAsync();
        var other = CreateStoreOnSameDatabase();
        var subscription = NewSubscription();
        await store.SaveSubscriptionAsync(subscription);
        const int Deliveries = 40;
        await store.EnqueueAsync(Enumerable.Range(0, Deliveries).Select(i => NewDelivery(subscription, "e" + i, T0.AddMilliseconds(i))).ToList());

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? store : other).ClaimDueAsync(T0.AddMinutes(1), TimeSpan.FromMinutes(5), 10))));

        var claimed = claims.SelectMany(c => c).Select(d => d.EventId).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(claimed, Is.Unique, "a delivery is leased to one claimer");
            Assert.That(claimed, Has.Count.EqualTo(Deliveries), "eight claims of up to ten take all forty");
        });
    }

    // Millisecond precision: what both stores keep.
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-28T05:00:00.123Z");

    private static Subscription NewSubscription(string url = "https://hooks.example.test/a", DateTimeOffset? at = null) =>
        new(Guid.NewGuid(), url, """{"source":["aws.ecr"]}""", false, "ops", "whsec_" + Guid.NewGuid().ToString("N"), at ?? T0, at ?? T0);

    private static WebhookDelivery NewDelivery(Subscription s, string eventId, DateTimeOffset? due = null) =>
        new(Guid.NewGuid(), s.Id, eventId, "ECR Image Scan", "application/json", $$"""{"id":"{{eventId}}"}""", DeliveryState.Pending, 0, due ?? T0, null, T0, null);

    [Test]
    public async Task A_subscription_round_trips_updates_in_place_and_deletes_with_its_deliveries()
    {
        var store = await CreateStoreAsync();
        var first = NewSubscription();
        var second = NewSubscription("http://127.0.0.1:9/b", T0.AddSeconds(1));
        await store.SaveSubscriptionAsync(first);
        await store.SaveSubscriptionAsync(second);
        await store.EnqueueAsync([NewDelivery(first, "e1")]);

        var updated = first with { TargetUrl = "https://hooks.example.test/new", CloudEvents = true, UpdatedAt = T0.AddMinutes(1) };
        await store.SaveSubscriptionAsync(updated);

        Assert.That(await store.GetSubscriptionAsync(first.Id), Is.EqualTo(updated));
        Assert.That((await store.ListSubscriptionsAsync()).Select(s => s.Id), Is.EqualTo(new[] { first.Id, second.Id }));
        Assert.That(await store.DeleteSubscriptionAsync(first.Id), Is.True);
        Assert.That(await store.DeleteSubscriptionAsync(first.Id), Is.False);
        Assert.That(await store.GetSubscriptionAsync(first.Id), Is.Null);
        Assert.That(await store.CountPendingAsync(), Is.Zero, "a deleted subscription's deliveries go with it");
    }

    [Test]
    public async Task The_same_event_is_queued_once_per_subscription()
    {
        var store = await CreateStoreAsync();
        var a = NewSubscription();
        var b = NewSubscription();
        await store.SaveSubscriptionAsync(a);
        await store.SaveSubscriptionAsync(b);

        var added = await store.EnqueueAsync([NewDelivery(a, "e1"), NewDelivery(b, "e1")]);
        var again = await store.EnqueueAsync([NewDelivery(a, "e1"), NewDelivery(a, "e2")]);

        Assert.That((added, again), Is.EqualTo((2, 1)));
        Assert.That(await store.CountPendingAsync(), Is.EqualTo(3));
    }

    [Test]
    public async Task Deliveries_queued_in_a_unit_of_work_count_only_new_events_and_wait_for_its_commit()
    {
        var (store, database) = await CreateAsync();
        var s = NewSubscription();
        await store.SaveSubscriptionAsync(s);
        await store.EnqueueAsync([NewDelivery(s, "e1")]);

        await using (var abandoned = await database.BeginAsync())
            Assert.That(await store.In(abandoned).EnqueueAsync([NewDelivery(s, "e2")]), Is.EqualTo(1));
        Assert.That(await store.CountPendingAsync(), Is.EqualTo(1), "rolled back with its work");

        int added;
        await using (var work = await database.BeginAsync())
        {
            // e1 is queued already and e2 twice in one batch: one new delivery, and the transaction survives the duplicates.
            added = await store.In(work).EnqueueAsync([NewDelivery(s, "e1"), NewDelivery(s, "e2"), NewDelivery(s, "e2")]);
            Assert.That(await store.CountPendingAsync(), Is.EqualTo(1), "not before the commit");
            await work.CommitAsync(CancellationToken.None);
        }

        Assert.That(added, Is.EqualTo(1));
        Assert.That((await store.ClaimDueAsync(T0.AddMinutes(1), TimeSpan.FromMinutes(1), 10)).Select(d => d.EventId), Is.EquivalentTo(new[] { "e1", "e2" }));
    }

    [Test]
    public async Task A_delivered_event_is_remembered_against_redelivery_until_pruned()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription();
        await store.SaveSubscriptionAsync(s);
        var sent = NewDelivery(s, "e1");
        await store.EnqueueAsync([sent]);
        await store.MarkDeliveredAsync(sent.Id, T0.AddSeconds(1));

        var redelivered = await store.EnqueueAsync([NewDelivery(s, "e1")]);
        var pendingAfterSend = await store.CountPendingAsync();
        var pruned = await store.PruneDeliveredAsync(T0.AddSeconds(2));
        var afterPrune = await store.EnqueueAsync([NewDelivery(s, "e1")]);

        Assert.That((redelivered, pendingAfterSend, pruned, afterPrune), Is.EqualTo((0, 0L, 1, 1)));
        Assert.That(await store.ClaimDueAsync(T0.AddMinutes(1), TimeSpan.FromMinutes(1), 10), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Claiming_takes_only_due_unleased_deliveries_oldest_first_and_a_lease_expires()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription();
        await store.SaveSubscriptionAsync(s);
        var late = NewDelivery(s, "late", T0.AddSeconds(2));
        var early = NewDelivery(s, "early", T0.AddSeconds(1));
        var future = NewDelivery(s, "future", T0.AddHours(1));
        await store.EnqueueAsync([late, early, future]);

        var first = await store.ClaimDueAsync(T0.AddSeconds(5), TimeSpan.FromMinutes(1), 10);
        var whileLeased = await store.ClaimDueAsync(T0.AddSeconds(6), TimeSpan.FromMinutes(1), 10);
        var afterLease = await store.ClaimDueAsync(T0.AddMinutes(2), TimeSpan.FromMinutes(1), 1);

        Assert.That(first.Select(d => d.EventId), Is.EqualTo(new[] { "early", "late" }));
        Assert.That(first[0], Is.EqualTo(early));
        Assert.That(whileLeased, Is.Empty);
        Assert.That(afterLease.Select(d => d.EventId), Is.EqualTo(new[] { "early" }), "an unacknowledged claim comes back when its lease runs out");
    }

    [Test]
    public async Task Retry_delivered_and_dead_letter_transitions_and_replay()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription();
        await store.SaveSubscriptionAsync(s);
        var retried = NewDelivery(s, "retried");
        var delivered = NewDelivery(s, "delivered");
        var dead = NewDelivery(s, "dead");
        await store.EnqueueAsync([retried, delivered, dead]);
        await store.ClaimDueAsync(T0, TimeSpan.FromMinutes(1), 10);

        await store.MarkRetryAsync(retried.Id, 1, "HTTP 503 Service Unavailable", T0.AddSeconds(30));
        await store.MarkDeliveredAsync(delivered.Id, T0);
        await store.MarkDeadLetteredAsync(dead.Id, 8, "HTTP 500 Internal Server Error", T0.AddSeconds(1));

        Assert.That(await store.ClaimDueAsync(T0.AddSeconds(10), TimeSpan.FromMinutes(1), 10), Is.Empty, "the retry is not due yet");
        var due = await store.ClaimDueAsync(T0.AddSeconds(30), TimeSpan.FromMinutes(1), 10);
        Assert.That(due.Select(d => (d.EventId, d.Attempts, d.LastError)), Is.EqualTo(new[] { ("retried", 1, (string?)"HTTP 503 Service Unavailable") }));
        Assert.That(await store.CountPendingAsync(), Is.EqualTo(1));

        var deadLetters = await store.ListDeadLettersAsync(s.Id);
        Assert.That(deadLetters.Select(d => (d.EventId, d.State, d.Attempts, d.LastError, d.DeadLetteredAt)),
            Is.EqualTo(new[] { ("dead", DeliveryState.DeadLettered, 8, (string?)"HTTP 500 Internal Server Error", (DateTimeOffset?)T0.AddSeconds(1)) }));
        Assert.That(deadLetters[0].Body, Is.EqualTo(dead.Body));

        Assert.That(await store.ReplayDeadLettersAsync(s.Id, T0.AddMinutes(5)), Is.EqualTo(1));
        Assert.That(await store.ReplayDeadLettersAsync(s.Id, T0.AddMinutes(5)), Is.Zero);
        Assert.That(await store.ListDeadLettersAsync(s.Id), Is.Empty);
        var replayed = await store.ClaimDueAsync(T0.AddMinutes(5), TimeSpan.FromMinutes(1), 10);
        Assert.That(replayed.Select(d => (d.EventId, d.Attempts, d.State)), Is.EquivalentTo(new[] { ("dead", 0, DeliveryState.Pending), ("retried", 1, DeliveryState.Pending) }));
    }
}

public sealed class SqliteSubscriptionStoreTests : SubscriptionStoreContractTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("subscription-store-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<(ISubscriptionStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "findings.db"));
        return Task.FromResult<(ISubscriptionStore, IServiceDatabase)>((new SqliteSubscriptionStore(database), database));
    }

    protected override ISubscriptionStore CreateStoreOnSameDatabase() => new SqliteSubscriptionStore(new SqliteDatabase(Path.Combine(_directory, "findings.db")));
}

public sealed class MongoSubscriptionStoreTests : SubscriptionStoreContractTests
{
    protected override async Task<(ISubscriptionStore Store, IServiceDatabase Database)> CreateAsync()
    {
        _mongo = await MongoTestDatabase.CreateOrIgnoreAsync("subscriptions");
        var database = new MongoServiceDatabase(_mongo, "findings");
        return (new MongoSubscriptionStore(database), database);
    }

    private IMongoDatabase? _mongo;

    protected override ISubscriptionStore CreateStoreOnSameDatabase() => new MongoSubscriptionStore(new MongoServiceDatabase(_mongo!, "findings"));
}

/// <summary>The SQLite store as Findings wires it: secrets encrypted on the way in, decrypted on the way out.</summary>
public sealed class ProtectedSqliteSubscriptionStoreTests : SubscriptionStoreContractTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("subscription-store-protected-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<(ISubscriptionStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "findings.db"));
        var protector = new SubscriptionSecretProtector(Path.Combine(_directory, "findings-keys"));
        return Task.FromResult<(ISubscriptionStore, IServiceDatabase)>((new ProtectedSubscriptionStore(new SqliteSubscriptionStore(database), protector), database));
    }

    protected override ISubscriptionStore CreateStoreOnSameDatabase() => new ProtectedSubscriptionStore(
        new SqliteSubscriptionStore(new SqliteDatabase(Path.Combine(_directory, "findings.db"))), new SubscriptionSecretProtector(Path.Combine(_directory, "findings-keys")));
}

/// <summary>The Mongo store as Findings wires it; and the collection holds no plaintext secret.</summary>
public sealed class ProtectedMongoSubscriptionStoreTests : SubscriptionStoreContractTests
{
    private string _keys = "";
    private IMongoDatabase? _mongo;

    [SetUp]
    public void CreateDirectory() => _keys = Directory.CreateTempSubdirectory("subscription-keys-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_keys, recursive: true);

    protected override async Task<(ISubscriptionStore Store, IServiceDatabase Database)> CreateAsync()
    {
        _mongo = await MongoTestDatabase.CreateOrIgnoreAsync("subscriptions");
        var database = new MongoServiceDatabase(_mongo, "findings");
        return (new ProtectedSubscriptionStore(new MongoSubscriptionStore(database), new SubscriptionSecretProtector(_keys)), database);
    }

    protected override ISubscriptionStore CreateStoreOnSameDatabase() =>
        new ProtectedSubscriptionStore(new MongoSubscriptionStore(new MongoServiceDatabase(_mongo!, "findings")), new SubscriptionSecretProtector(_keys));

    [Test]
    public async Task The_collection_holds_the_secret_encrypted()
    {
        var (store, _) = await CreateAsync();
        var subscription = new Subscription(Guid.NewGuid(), "https://hooks.example.test/a", """{"source":["aws.ecr"]}""", false, null,
            "whsec_plain_secret_for_mongo", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        await store.SaveSubscriptionAsync(subscription);

        var raw = await _mongo!.GetCollection<BsonDocument>(MongoSubscriptionStore.SubscriptionsCollection).Find(FilterDefinition<BsonDocument>.Empty).FirstAsync();
        Assert.That(raw["Secret"].AsString, Does.StartWith(SubscriptionSecretProtector.Prefix).And.Not.Contain("plain_secret"));
        Assert.That((await store.GetSubscriptionAsync(subscription.Id))!.Secret, Is.EqualTo(subscription.Secret));
    }
}
