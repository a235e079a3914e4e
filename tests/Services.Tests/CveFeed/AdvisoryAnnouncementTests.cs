using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>
/// NewCveAdded goes through the advisory database's outbox, in the transaction of the batch that stored the advisory: the real
/// go-vulndb zip is announced once per new advisory by the dispatcher, an import that fails part-way (a hook that throws, a real
/// lock on the file) leaves no stored advisory unannounced and no announcement of an advisory not stored, and a re-import
/// announces nothing.
/// </summary>
[NonParallelizable]
public sealed class AdvisoryAnnouncementTests
{
    private const int BatchSize = 500;

    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("cvefeed-announcements-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static string GoFeed => Corpus.PathOf("feeds", "go-vulndb-osv.zip");

    /// <summary>The message id each not-withdrawn record of the feed is announced with.</summary>
    private static HashSet<Guid> ExpectedAnnouncements()
    {
        using var zip = ZipFile.OpenRead(GoFeed);
        return zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.Ordinal))
            .Select(e => { using var r = new StreamReader(e.Open()); return OsvParser.Parse(r.ReadToEnd()); })
            .Where(a => !a.IsWithdrawn)
            .Select(a => AdvisoryAnnouncements.MessageIdOf(a, AdvisoryFingerprint.AffectedHashOf(a)))
            .ToHashSet();
    }

    private string AdvisoriesPath => CveFeedHost.AdvisoriesPath(directory);

    private static async Task<T> QueryAsync<T>(string path, string sql, Func<SqliteDataReader, T> read)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }

    /// <summary>(message id, dispatched) of every NewCveAdded row of the advisory outbox.</summary>
    private Task<List<(Guid Id, bool Dispatched)>> OutboxRowsAsync() => QueryAsync(AdvisoriesPath,
        "SELECT message_id, dispatched_at IS NOT NULL FROM outbox_messages WHERE message_type = 'ImageScanning.Contracts.NewCveAdded'",
        reader =>
        {
            var rows = new List<(Guid, bool)>();
            while (reader.Read()) rows.Add((Guid.Parse(reader.GetString(0)), reader.GetBoolean(1)));
            return rows;
        });

    /// <summary>The announcement every stored, not withdrawn advisory must have, computed from what is stored.</summary>
    private Task<List<Guid>> AnnouncementsOwedByStoredAdvisoriesAsync() => QueryAsync(AdvisoriesPath,
        "SELECT affected_hash, json FROM advisories WHERE withdrawn = 0",
        reader =>
        {
            var owed = new List<Guid>();
            while (reader.Read()) owed.Add(AdvisoryAnnouncements.MessageIdOf(OsvParser.Parse(reader.GetString(1)), reader.GetString(0)));
            return owed;
        });

    private static async Task<HttpResponseMessage> UploadAsync(CveFeedHost feed)
    {
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(GoFeed));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return await feed.Client.PostAsync("/api/v1/advisories", content);
    }

    private static async Task<List<Guid>> WaitForDeliveriesAsync(CveFeedHost feed, int count, TimeSpan timeout)
    {
        await feed.WaitForNewCvesAsync(count, timeout);
        return feed.NewCves.MessageIds.ToList();
    }

    [Test]
    public async Task An_imported_feed_is_announced_once_per_new_advisory_from_rows_committed_with_it_and_a_reimport_announces_nothing()
    {
        var expected = ExpectedAnnouncements();
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>());

        var first = await UploadAsync(feed);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        var delivered = await WaitForDeliveriesAsync(feed, expected.Count, TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await OutboxRowsAsync()).All(r => r.Dispatched), TimeSpan.FromSeconds(10));
        var rows = await OutboxRowsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(rows.Select(r => r.Id), Is.EquivalentTo(expected), "one outbox row per new, not withdrawn advisory, with its deterministic id");
            Assert.That(await AnnouncementsOwedByStoredAdvisoriesAsync(), Is.EquivalentTo(expected));
            Assert.That(rows.Select(r => r.Dispatched), Is.All.True, "the dispatcher sent and marked every row");
            Assert.That(delivered, Is.EquivalentTo(expected), "each announcement delivered exactly once, with its row's id");
        });

        var second = await UploadAsync(feed);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var after = await WaitForDeliveriesAsync(feed, delivered.Count + 1, TimeSpan.FromSeconds(3));
        Assert.Multiple(async () =>
        {
            Assert.That(after, Has.Count.EqualTo(delivered.Count), "a re-import announces nothing");
            Assert.That(await OutboxRowsAsync(), Has.Count.EqualTo(expected.Count), "and writes no row");
        });
    }

    [Test]
    public async Task An_import_whose_hook_fails_part_way_leaves_every_stored_advisory_announced_and_a_new_host_sends_the_rest_once()
    {
        var expected = ExpectedAnnouncements();
        var failing = await ImportUntilFailureAsync(announcements => new FailingOnBatch(announcements, failOnBatch: 3));
        Assert.That(failing, Is.InstanceOf<InjectedHookFailure>());

        await AssertNoStoredAdvisoryIsUnannouncedAsync(expectedStored: 2 * BatchSize);

        // A CveFeed on the same data sends the committed rows (the importing "process" died before it could), then imports the
        // rest: every advisory announced once over both, none twice.
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>());
        var pending = (await OutboxRowsAsync()).Count;
        var recovered = await WaitForDeliveriesAsync(feed, pending, TimeSpan.FromSeconds(40));
        Assert.That(recovered, Has.Count.EqualTo(pending), "the rows committed before the failure are sent by the next dispatcher");

        Assert.That((await UploadAsync(feed)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var all = await WaitForDeliveriesAsync(feed, expected.Count, TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(all, Is.Unique);
            Assert.That(all, Is.EquivalentTo(expected));
        });
    }

    [Test]
    public async Task An_import_stopped_by_a_real_lock_on_the_file_leaves_every_stored_advisory_announced()
    {
        // After two committed batches a second connection takes the file's write lock and keeps it: the third batch cannot begin.
        // The store waits its full busy timeout (60 s) before it gives up, so this test is slow on purpose.
        SqliteConnection? locker = null;
        var failure = await ImportUntilFailureAsync(announcements => new LockingAfterBatch(announcements, afterBatch: 2, () =>
        {
            locker = new SqliteConnection($"Data Source={AdvisoriesPath};Pooling=False");
            locker.Open();
            using var command = locker.CreateCommand();
            command.CommandText = "BEGIN EXCLUSIVE;";
            command.ExecuteNonQuery();
        }));
        try
        {
            Assert.That(failure, Is.InstanceOf<SqliteException>());
            Assert.That(((SqliteException)failure!).SqliteErrorCode, Is.EqualTo(5), "SQLITE_BUSY: the file stayed locked");
        }
        finally
        {
            locker?.Dispose();
        }

        await AssertNoStoredAdvisoryIsUnannouncedAsync(expectedStored: 2 * BatchSize);
    }

    /// <summary>Runs the real importer on the real store file with the real announcements, wrapped by <paramref name="wrap"/>; returns what it threw.</summary>
    private async Task<Exception?> ImportUntilFailureAsync(Func<IAdvisoryWriteHook, IAdvisoryWriteHook> wrap)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AdvisoriesPath)!);
        var database = new SqliteDatabase(AdvisoriesPath); // the service database: its outbox tables in the advisory file
        // The committed rows are handed to a dispatcher nobody runs, as in a process that dies right after its commit.
        var announcements = new AdvisoryAnnouncements(database, new OutboxChannel(), TimeProvider.System);
        using var store = new SqliteAdvisoryStore(AdvisoriesPath, writeHook: wrap(announcements));
        try
        {
            await new OsvImporter(store, new OsvImportOptions { BatchSize = BatchSize }).ImportPathAsync(GoFeed);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private async Task AssertNoStoredAdvisoryIsUnannouncedAsync(int expectedStored)
    {
        var stored = await QueryAsync(AdvisoriesPath, "SELECT COUNT(*) FROM advisories", r => { r.Read(); return r.GetInt64(0); });
        var owed = await AnnouncementsOwedByStoredAdvisoriesAsync();
        var rows = await OutboxRowsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.EqualTo(expectedStored), "the batches before the failure are stored, the failed one is not");
            Assert.That(rows.Select(r => r.Id), Is.EquivalentTo(owed), "every stored advisory has its announcement, and only those");
            Assert.That(rows.Select(r => r.Dispatched), Is.All.False, "nobody sent them yet");
        });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition() && DateTime.UtcNow < deadline) await Task.Delay(100);
    }

    private sealed class InjectedHookFailure() : Exception("Injected: the import died inside a batch, after writing its announcements.");

    /// <summary>The real hook, throwing inside batch <c>failOnBatch</c> once its rows are written (as a crash mid-transaction).</summary>
    private sealed class FailingOnBatch(IAdvisoryWriteHook inner, int failOnBatch) : IAdvisoryWriteHook
    {
        private int _batches;

        public async Task StoringAsync(IReadOnlyList<AdvisoryWrite> writes, AdvisoryWriteTransaction transaction, CancellationToken ct)
        {
            await inner.StoringAsync(writes, transaction, ct);
            if (++_batches == failOnBatch) throw new InjectedHookFailure();
        }

        public void Committed(IReadOnlyList<AdvisoryWrite> writes) => inner.Committed(writes);
    }

    /// <summary>The real hook, running <c>lockFile</c> once <c>afterBatch</c> batches have committed.</summary>
    private sealed class LockingAfterBatch(IAdvisoryWriteHook inner, int afterBatch, Action lockFile) : IAdvisoryWriteHook
    {
        private int _committed;

        public Task StoringAsync(IReadOnlyList<AdvisoryWrite> writes, AdvisoryWriteTransaction transaction, CancellationToken ct) =>
            inner.StoringAsync(writes, transaction, ct);

        public void Committed(IReadOnlyList<AdvisoryWrite> writes)
        {
            inner.Committed(writes);
            if (++_committed == afterBatch) lockFile();
        }
    }
}
