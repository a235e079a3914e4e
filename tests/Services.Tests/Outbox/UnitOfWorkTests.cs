using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Outbox;

/// <summary>A unit of work on a real SQLite file: the effect, its outbox rows and the inbox mark commit together, or not at all.</summary>
public sealed class UnitOfWorkTests
{
    private string _directory = "";
    private SqliteDatabase _database = null!;
    private NotesStore _notes = null!;
    private RecordingSink _sink = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("unit-of-work-").FullName;
        _sink = new RecordingSink();
        _database = new SqliteDatabase(Path.Combine(_directory, "service.db"), _sink);
        _notes = new NotesStore(_database);
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static ImagePulled Pulled(string id) => new(id, "local", "team/app", "sha256:" + new string('a', 64), DateTimeOffset.UtcNow);

    [Test]
    public async Task A_commit_stores_the_effect_and_its_messages_together_and_hands_the_messages_on()
    {
        await using (var work = await _database.BeginAsync())
        {
            await _notes.In(work).AddAsync("effect");
            work.Publish(Pulled("d1"));
            work.Send("basic-scanner", Pulled("d2"));
            await work.CommitAsync(CancellationToken.None);
        }

        Assert.That(await _notes.ListAsync(), Is.EqualTo(new[] { "effect" }));
        var status = await _database.Outbox.GetStatusAsync();
        Assert.That(status.Pending, Is.EqualTo(2));
        Assert.That(_sink.Batches, Has.Count.EqualTo(1));
        Assert.That(_sink.Batches[0].Select(m => (m.MessageType, m.Destination)), Is.EqualTo(new (string, string?)[]
        {
            (typeof(ImagePulled).FullName!, null), (typeof(ImagePulled).FullName!, "basic-scanner"),
        }));
        var (message, type) = _sink.Batches[0][1].Deserialize();
        Assert.That(type, Is.EqualTo(typeof(ImagePulled)));
        Assert.That(((ImagePulled)message).DeliveryId, Is.EqualTo("d2"));
    }

    [Test]
    public async Task Disposing_without_a_commit_leaves_neither_the_effect_nor_the_messages()
    {
        await using (var work = await _database.BeginAsync())
        {
            await _notes.In(work).AddAsync("never");
            work.Publish(Pulled("d1"));
            Assert.That(await work.TryMarkHandledAsync("consumer", Guid.NewGuid(), CancellationToken.None), Is.True);
        }

        Assert.That(await _notes.ListAsync(), Is.Empty);
        Assert.That((await _database.Outbox.GetStatusAsync()).Pending, Is.Zero);
        Assert.That(_sink.Batches, Is.Empty);
    }

    [Test]
    public async Task A_failure_inside_the_work_rolls_back_what_it_wrote_before()
    {
        await _notes.AddAsync("taken");
        var work = await _database.BeginAsync();
        await using (work)
        {
            await _notes.In(work).AddAsync("first");
            work.Publish(Pulled("d1"));
            Assert.ThrowsAsync<SqliteException>(() => _notes.In(work).AddAsync("taken")); // unique: the effect fails half-way
        }

        Assert.That(await _notes.ListAsync(), Is.EqualTo(new[] { "taken" }));
        Assert.That((await _database.Outbox.GetStatusAsync()).Pending, Is.Zero);
    }

    [Test]
    public async Task The_inbox_mark_is_found_by_the_next_delivery_only_once_it_committed()
    {
        var messageId = Guid.NewGuid();
        await using (var rolledBack = await _database.BeginAsync())
            Assert.That(await rolledBack.TryMarkHandledAsync("ImagePushedConsumer", messageId, CancellationToken.None), Is.True);

        await using (var first = await _database.BeginAsync())
        {
            Assert.That(await first.TryMarkHandledAsync("ImagePushedConsumer", messageId, CancellationToken.None), Is.True);
            Assert.That(first.AlreadyHandled, Is.False);
            await first.CommitAsync(CancellationToken.None);
        }
        Assert.That(await _database.Outbox.IsHandledAsync("ImagePushedConsumer", messageId), Is.True);

        await using var second = await _database.BeginAsync();
        Assert.That(await second.TryMarkHandledAsync("ImagePushedConsumer", messageId, CancellationToken.None), Is.False);
        Assert.That(second.AlreadyHandled, Is.True);
        // Another consumer of the same message has its own mark.
        Assert.That(await second.TryMarkHandledAsync("ImageScannedConsumer", messageId, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task Reads_inside_the_work_see_its_own_writes_and_others_do_not_until_it_commits()
    {
        await using var work = await _database.BeginAsync();
        var joined = _notes.In(work);
        await joined.AddAsync("pending");

        Assert.That(await joined.ListAsync(), Is.EqualTo(new[] { "pending" }));
        Assert.That(await _notes.ListAsync(), Is.Empty);
        await work.CommitAsync(CancellationToken.None);
        Assert.That(await _notes.ListAsync(), Is.EqualTo(new[] { "pending" }));
    }

    [Test]
    public async Task A_second_unit_of_work_on_the_file_waits_for_the_first()
    {
        var first = await _database.BeginAsync();
        await _notes.In(first).AddAsync("first");
        var second = _database.BeginAsync();
        // Queued at the file's write gate: from there only the first's release lets it on, so its not having started proves the wait.
        var gate = PriorityWriteGate.ForFile(_database.Path);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (gate.Waiting.Foreground == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.That(gate.Waiting, Is.EqualTo((1, 0)), "the second unit of work waits at the write gate");
        Assert.That(second.IsCompleted, Is.False, "the file's write gate is held by the first unit of work");

        await first.CommitAsync(CancellationToken.None);
        await first.DisposeAsync();
        await using var secondWork = await second;
        await _notes.In(secondWork).AddAsync("second");
        await secondWork.CommitAsync(CancellationToken.None);
        Assert.That(await _notes.ListAsync(), Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public async Task A_unit_of_work_waits_for_a_write_lock_another_process_holds_and_can_be_cancelled_meanwhile()
    {
        await using var holder = new SqliteConnection($"Data Source={_database.Path};Pooling=False");
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }

        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500)))
            Assert.That(async () => await _database.BeginAsync(cancel.Token), Throws.InstanceOf<OperationCanceledException>());

        var waiting = _database.BeginAsync();
        await Task.Delay(1500);
        Assert.That(waiting.IsCompleted, Is.False, "still waiting for the other connection's lock");
        await using (var commit = holder.CreateCommand())
        {
            commit.CommandText = "COMMIT;";
            await commit.ExecuteNonQueryAsync();
        }
        await using var work = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        await _notes.In(work).AddAsync("after the lock");
        await work.CommitAsync(CancellationToken.None);
        Assert.That(await _notes.ListAsync(), Is.EqualTo(new[] { "after the lock" }));
    }

    [Test]
    public async Task A_store_refuses_a_unit_of_work_of_another_database()
    {
        var other = new SqliteDatabase(Path.Combine(_directory, "other.db"));
        await using var work = await other.BeginAsync();
        Assert.Throws<ArgumentException>(() => _notes.In(work));
    }

    [Test]
    public void Only_contract_messages_may_enter_the_outbox() =>
        Assert.Throws<ArgumentException>(() => OutboxMessage.For(new { Hello = "world" }, null, DateTimeOffset.UtcNow));

    private sealed class RecordingSink : IOutboxSink
    {
        public List<IReadOnlyList<OutboxMessage>> Batches { get; } = [];

        public void Committed(IServiceDatabase database, IReadOnlyList<OutboxMessage> messages) => Batches.Add(messages);
    }
}
