using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Services.Tests.Background;

/// <summary>The write gate of an embedded database: one writer at a time, foreground writers before background-lane ones.</summary>
public sealed class PriorityWriteGateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task One_writer_at_a_time()
    {
        var gate = new PriorityWriteGate();
        var first = await gate.EnterAsync(background: false);
        var second = gate.EnterAsync(background: false).AsTask();
        // The gate queues a waiter before EnterAsync returns: once it is counted, only a release can complete it, so no sleep is needed.
        Assert.That(gate.Waiting, Is.EqualTo((1, 0)), "the second writer is queued behind the first");
        Assert.That(second.IsCompleted, Is.False, "the second writer waits while the first holds the gate");

        first.Dispose();
        (await second.WaitAsync(Wait)).Dispose();
        (await gate.EnterAsync(background: true).AsTask().WaitAsync(Wait)).Dispose();
    }

    [Test]
    public async Task Foreground_writers_go_before_background_writers_and_each_priority_in_arrival_order()
    {
        var gate = new PriorityWriteGate();
        var order = new List<string>();
        var holder = await gate.EnterAsync(background: false);

        async Task Write(string name, bool background)
        {
            using var lease = await gate.EnterAsync(background);
            lock (order) order.Add(name);
        }

        var writes = new List<Task>();
        writes.Add(Write("rescan-1", background: true));
        writes.Add(Write("rescan-2", background: true));
        writes.Add(Write("push-1", background: false));
        writes.Add(Write("rescan-3", background: true));
        writes.Add(Write("push-2", background: false));
        Assert.That(gate.Waiting, Is.EqualTo((2, 3)));

        holder.Dispose();
        await Task.WhenAll(writes).WaitAsync(Wait);
        Assert.That(order, Is.EqualTo(new[] { "push-1", "push-2", "rescan-1", "rescan-2", "rescan-3" }));
    }

    [Test]
    public async Task A_cancelled_waiter_fails_and_the_gate_passes_to_the_next()
    {
        var gate = new PriorityWriteGate();
        var holder = await gate.EnterAsync(background: false);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(background: false, cancel.Token).AsTask();
        var next = gate.EnterAsync(background: true).AsTask();

        await cancel.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(next.IsCompleted, Is.False, "cancelling a waiter does not open the gate");

        holder.Dispose();
        (await next.WaitAsync(Wait)).Dispose();
        (await gate.EnterAsync(background: false).AsTask().WaitAsync(Wait)).Dispose();
        Assert.That(gate.Waiting, Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task A_background_writer_waiting_for_a_busy_lane_thread_does_not_hold_the_gate()
    {
        var gate = new PriorityWriteGate();
        using var lane = new BackgroundLane(threads: 1);
        var holder = await gate.EnterAsync(background: false);
        var rescanWrote = false;
        var rescan = lane.RunAsync(async () =>
        {
            using var lease = await gate.EnterAsync(background: true);
            rescanWrote = true;
        });
        var deadline = DateTime.UtcNow + Wait;
        while (gate.Waiting.Background == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);

        // The lane's one thread is now busy with other bulk work, so the woken re-scan writer cannot run yet.
        var busy = new ManualResetEventSlim();
        var occupied = lane.RunAsync(() => { busy.Wait(); return Task.CompletedTask; });
        holder.Dispose();

        var push = gate.EnterAsync(background: false).AsTask();
        Assert.That(await Task.WhenAny(push, Task.Delay(Wait)), Is.SameAs(push), "the push writer got the gate while the re-scan writer waited for its thread");
        Assert.That(rescanWrote, Is.False);
        (await push).Dispose();

        busy.Set();
        await Task.WhenAll(occupied, rescan).WaitAsync(Wait);
        Assert.That(rescanWrote, Is.True, "the re-scan writer took the gate once its thread was free");
    }

    [Test]
    public void A_file_has_one_gate_whatever_path_names_it()
    {
        var directory = Directory.CreateTempSubdirectory("imagescanning-gate-").FullName;
        try
        {
            var file = Path.Combine(directory, "router.db");
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
            Assert.That(PriorityWriteGate.ForFile(relative), Is.SameAs(PriorityWriteGate.ForFile(file)));
            Assert.That(PriorityWriteGate.ForFile(Path.Combine(directory, "findings.db")), Is.Not.SameAs(PriorityWriteGate.ForFile(file)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task A_write_from_the_background_lane_waits_behind_a_foreground_write_that_arrived_later()
    {
        var directory = Directory.CreateTempSubdirectory("imagescanning-gate-").FullName;
        using var lane = new BackgroundLane(threads: 1);
        try
        {
            var database = new SqliteDatabase(Path.Combine(directory, "writes.db"), "CREATE TABLE IF NOT EXISTS writes (who TEXT NOT NULL);");
            async Task Insert(string who)
            {
                await using var write = await database.OpenForWriteAsync();
                await using var command = write.Connection.CreateCommand();
                command.CommandText = "INSERT INTO writes (who) VALUES ($who)";
                command.Parameters.AddWithValue("$who", who);
                await command.ExecuteNonQueryAsync();
            }

            var holder = await database.OpenForWriteAsync();
            var rescan = lane.RunAsync(() => Insert("rescan"));
            var gate = PriorityWriteGate.ForFile(Path.Combine(directory, "writes.db"));
            var deadline = DateTime.UtcNow + Wait;
            while (gate.Waiting.Background == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
            var push = Task.Run(() => Insert("push"));
            while (gate.Waiting.Foreground == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.That(gate.Waiting, Is.EqualTo((1, 1)), "the lane's write queued as background, the thread pool's as foreground");

            await holder.DisposeAsync();
            await Task.WhenAll(rescan, push).WaitAsync(Wait);
            await using var read = database.Open();
            await using var select = read.CreateCommand();
            select.CommandText = "SELECT who FROM writes ORDER BY rowid";
            var order = new List<string>();
            await using (var reader = await select.ExecuteReaderAsync())
                while (await reader.ReadAsync()) order.Add(reader.GetString(0));
            Assert.That(order, Is.EqualTo(new[] { "push", "rescan" }));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
