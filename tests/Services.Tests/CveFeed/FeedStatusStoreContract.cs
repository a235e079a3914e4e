using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>The behaviour every IFeedStatusStore must have; each fixture gives a fresh, empty store per test.</summary>
public abstract class FeedStatusStoreContract
{
    protected abstract Task<IFeedStatusStore> CreateStoreAsync();

    // Millisecond precision: what MongoDB keeps.
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123);

    private static FeedStatus Full(string name) => new()
    {
        Name = name, Kind = "osv-zip-url", LastAttempt = T0.AddMinutes(1), LastSuccess = T0, LastOutcome = "failed",
        LastError = "HttpRequestException: GET https://feeds.test/x answered 500 Internal Server Error.",
        AdvisoryCount = 4291, LastChangeCount = 2, LastRejectedCount = 1, ETag = "\"abc\"",
        LastModified = "Fri, 21 Aug 2026 20:38:00 GMT", Cursor = "2026-11-28T05:00:00.0000000+00:00",
    };

    [Test]
    public async Task An_unknown_source_has_no_status()
    {
        var store = await CreateStoreAsync();
        Assert.That(await store.GetAsync("go"), Is.Null);
        Assert.That(await store.ListAsync(), Is.Empty);
    }

    [Test]
    public async Task A_saved_status_round_trips_every_field()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Full("go"));
        Assert.That(await store.GetAsync("go"), Is.EqualTo(Full("go")));
    }

    [Test]
    public async Task Saving_again_replaces_and_nulls_are_kept_null()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Full("go"));
        var recovered = Full("go") with { LastOutcome = "changed", LastError = null, ETag = null, LastSuccess = T0.AddMinutes(1) };
        await store.SaveAsync(recovered);
        Assert.That(await store.GetAsync("go"), Is.EqualTo(recovered));
        Assert.That(await store.ListAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_never_successful_source_has_no_dates_and_the_list_is_ordered_by_name()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Full("nvd"));
        await store.SaveAsync(new FeedStatus { Name = "alpine", Kind = "alpine-secdb-url" });
        await store.SaveAsync(Full("debian"));
        var list = await store.ListAsync();
        Assert.That(list.Select(s => s.Name), Is.EqualTo(new[] { "alpine", "debian", "nvd" }));
        Assert.That(list[0], Is.EqualTo(new FeedStatus { Name = "alpine", Kind = "alpine-secdb-url" }));
    }
}

public sealed class SqliteFeedStatusStoreTests : FeedStatusStoreContract
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("feed-status-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    protected override Task<IFeedStatusStore> CreateStoreAsync() =>
        Task.FromResult<IFeedStatusStore>(new SqliteFeedStatusStore(Path.Combine(directory, "feeds.db")));

    [Test]
    public async Task Status_survives_a_new_store_on_the_same_file()
    {
        var path = Path.Combine(directory, "feeds.db");
        await new SqliteFeedStatusStore(path).SaveAsync(new FeedStatus { Name = "go", AdvisoryCount = 7 });
        Assert.That((await new SqliteFeedStatusStore(path).GetAsync("go"))?.AdvisoryCount, Is.EqualTo(7));
    }
}

public sealed class MongoFeedStatusStoreTests : FeedStatusStoreContract
{
    private MongoDB.Driver.IMongoDatabase? database;

    protected override async Task<IFeedStatusStore> CreateStoreAsync()
    {
        database = await MongoTestDatabase.CreateOrIgnoreAsync("feeds");
        return new MongoFeedStatusStore(database);
    }

    [TearDown]
    public async Task DropDatabase()
    {
        if (database is not null) await database.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName);
    }
}
