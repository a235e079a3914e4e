using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Outbox;

/// <summary>What every outbox store must do; each fixture gives a fresh, empty database per test.</summary>
public abstract class OutboxStoreContract
{
    protected abstract Task<IServiceDatabase> CreateDatabaseAsync();

    // Millisecond precision, what both stores keep. Messages are written "now" and leased to their committer for CommitLease.
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123);
    private static readonly DateTimeOffset AfterLease = T0 + OutboxDefaults.CommitLease;

    private static ImagePulled Pulled(string id) => new(id, "local", "team/app", "sha256:" + new string('a', 64), T0);

    private static async Task<IReadOnlyList<Guid>> CommitAsync(IServiceDatabase database, params string[] ids)
    {
        await using var work = await database.BeginAsync();
        foreach (var id in ids) work.Publish(Pulled(id));
        await work.CommitAsync(CancellationToken.None);
        return work.Messages.Select(m => m.MessageId).ToList();
    }

    [Test]
    public async Task Committed_messages_are_leased_to_their_committer_then_claimed_in_the_order_written()
    {
        var database = await CreateDatabaseAsync();
        var written = await CommitAsync(database, "a", "b", "c");
        var store = database.Outbox;

        Assert.That(await store.ClaimDueAsync(T0, TimeSpan.FromSeconds(30), 10), Is.Empty, "still the committer's");
        var claimed = await store.ClaimDueAsync(DateTimeOffset.UtcNow + OutboxDefaults.CommitLease, TimeSpan.FromSeconds(30), 10);
        Assert.That(claimed.Select(m => m.MessageId), Is.EqualTo(written));
        Assert.That(claimed.Select(m => ((ImagePulled)m.Deserialize().Message).DeliveryId), Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public async Task A_claimed_message_is_not_claimed_again_until_its_lease_ends()
    {
        var database = await CreateDatabaseAsync();
        await CommitAsync(database, "a");
        var now = DateTimeOffset.UtcNow + OutboxDefaults.CommitLease;
        var store = database.Outbox;

        Assert.That(await store.ClaimDueAsync(now, TimeSpan.FromSeconds(30), 10), Has.Count.EqualTo(1));
        Assert.That(await store.ClaimDueAsync(now.AddSeconds(29), TimeSpan.FromSeconds(30), 10), Is.Empty);
        Assert.That(await store.ClaimDueAsync(now.AddSeconds(31), TimeSpan.FromSeconds(30), 10), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Dispatched_messages_leave_the_pending_count_and_a_failure_postpones_the_next_try()
    {
        var database = await CreateDatabaseAsync();
        var ids = await CommitAsync(database, "a", "b");
        var store = database.Outbox;
        Assert.That((await store.GetStatusAsync()).Pending, Is.EqualTo(2));

        await store.MarkDispatchedAsync([ids[0]], DateTimeOffset.UtcNow);
        var now = DateTimeOffset.UtcNow + OutboxDefaults.CommitLease;
        await store.MarkFailedAsync(ids[1], "MessageReturnedException: NO_ROUTE", now.AddMinutes(1));

        Assert.That((await store.GetStatusAsync()).Pending, Is.EqualTo(1));
        Assert.That(await store.ClaimDueAsync(now, TimeSpan.FromSeconds(30), 10), Is.Empty);
        Assert.That((await store.ClaimDueAsync(now.AddMinutes(2), TimeSpan.FromSeconds(30), 10)).Select(m => m.MessageId), Is.EqualTo(new[] { ids[1] }));
    }

    [Test]
    public async Task Pruning_forgets_old_dispatched_messages_and_old_inbox_marks_only()
    {
        var database = await CreateDatabaseAsync();
        var ids = await CommitAsync(database, "old", "pending");
        var store = database.Outbox;
        await store.MarkDispatchedAsync([ids[0]], T0);
        var key = Guid.NewGuid();
        await using (var work = await database.BeginAsync())
        {
            await work.TryMarkHandledAsync("consumer", key, CancellationToken.None);
            await work.CommitAsync(CancellationToken.None);
        }

        await store.PruneAsync(T0.AddSeconds(1), DateTimeOffset.UtcNow.AddDays(-1));
        Assert.That(await store.IsHandledAsync("consumer", key), Is.True, "the inbox mark is younger than its cut-off");
        Assert.That((await store.GetStatusAsync()).Pending, Is.EqualTo(1), "a pending message is never pruned");
        Assert.That(await store.RequeueDispatchedSinceAsync(T0.AddDays(-1), 3, AfterLease), Is.Zero, "the dispatched one is gone");

        await store.PruneAsync(T0, DateTimeOffset.UtcNow.AddDays(1));
        Assert.That(await store.IsHandledAsync("consumer", key), Is.False);
    }

    [Test]
    public async Task A_replay_makes_recently_dispatched_messages_pending_again_at_most_max_replays_times()
    {
        var database = await CreateDatabaseAsync();
        var ids = await CommitAsync(database, "recent", "older");
        var store = database.Outbox;
        var now = DateTimeOffset.UtcNow;
        await store.MarkDispatchedAsync([ids[0]], now);
        await store.MarkDispatchedAsync([ids[1]], now.AddHours(-2));

        for (var replay = 1; replay <= 2; replay++)
        {
            Assert.That(await store.RequeueDispatchedSinceAsync(now.AddMinutes(-30), 2, now), Is.EqualTo(1), $"replay {replay}");
            var claimed = await store.ClaimDueAsync(now, TimeSpan.FromSeconds(30), 10);
            Assert.That(claimed.Select(m => m.MessageId), Is.EqualTo(new[] { ids[0] }), "same message, same id");
            await store.MarkDispatchedAsync([ids[0]], now);
        }
        Assert.That(await store.RequeueDispatchedSinceAsync(now.AddMinutes(-30), 2, now), Is.Zero, "replayed twice already");
    }
}

public sealed class SqliteOutboxStoreTests : OutboxStoreContract
{
    private readonly List<string> _directories = [];

    protected override Task<IServiceDatabase> CreateDatabaseAsync()
    {
        var directory = Directory.CreateTempSubdirectory("outbox-").FullName;
        _directories.Add(directory);
        return Task.FromResult<IServiceDatabase>(new SqliteDatabase(Path.Combine(directory, "service.db")));
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        foreach (var directory in _directories) Directory.Delete(directory, recursive: true);
        _directories.Clear();
    }
}

public sealed class MongoOutboxStoreTests : OutboxStoreContract
{
    protected override async Task<IServiceDatabase> CreateDatabaseAsync() =>
        new MongoServiceDatabase(await MongoTestDatabase.CreateOrIgnoreAsync("outbox"), "outbox");
}
