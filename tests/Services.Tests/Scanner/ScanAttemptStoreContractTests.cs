using ImageScanning.ScannerCore.Attempts;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>One behaviour suite that every IScanAttemptStore implementation must pass, alone and joined with a unit of work.</summary>
public abstract class ScanAttemptStoreContractTests
{
    protected abstract Task<(IScanAttemptStore Store, IServiceDatabase Database)> CreateAsync();

    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-02T10:00:00Z");
    private static readonly Guid Me = Guid.Parse("00000000-0000-0000-0000-00000000000a");

    [Test]
    public async Task Attempts_of_other_scanners_that_never_ended_are_counted_this_scanners_own_are_not()
    {
        var (store, _) = await CreateAsync();
        var scan = Guid.NewGuid();
        var (died1, died2) = (Guid.NewGuid(), Guid.NewGuid());

        await store.RecordAsync(scan, died1, T0);
        await store.RecordAsync(scan, died2, T0.AddMinutes(1));
        await store.RecordAsync(scan, Me, T0.AddMinutes(2));
        await store.RecordAsync(Guid.NewGuid(), died1, T0); // another scan

        Assert.That(await store.CountUnfinishedAsync(scan, Me), Is.EqualTo(2));
        Assert.That(await store.CountUnfinishedAsync(scan, died1), Is.EqualTo(2), "died2's and mine");
    }

    [Test]
    public async Task Recording_the_same_attempt_again_counts_it_once()
    {
        var (store, _) = await CreateAsync();
        var scan = Guid.NewGuid();
        var other = Guid.NewGuid();

        await store.RecordAsync(scan, other, T0);
        await store.RecordAsync(scan, other, T0.AddSeconds(5));

        Assert.That(await store.CountUnfinishedAsync(scan, Me), Is.EqualTo(1));
    }

    [Test]
    public async Task An_ended_attempt_is_not_counted_any_more()
    {
        var (store, _) = await CreateAsync();
        var scan = Guid.NewGuid();
        var (ended, died) = (Guid.NewGuid(), Guid.NewGuid());
        await store.RecordAsync(scan, ended, T0);
        await store.RecordAsync(scan, died, T0);

        await store.EndAsync(scan, ended);

        Assert.That(await store.CountUnfinishedAsync(scan, Me), Is.EqualTo(1));
    }

    [Test]
    public async Task Forgetting_a_scan_in_a_unit_of_work_takes_effect_only_when_it_commits()
    {
        var (store, database) = await CreateAsync();
        var scan = Guid.NewGuid();
        var kept = Guid.NewGuid();
        await store.RecordAsync(scan, Guid.NewGuid(), T0);
        await store.RecordAsync(scan, Guid.NewGuid(), T0);
        await store.RecordAsync(kept, Guid.NewGuid(), T0);

        await using (var work = await database.BeginAsync())
        {
            await store.In(work).ForgetAsync(scan);
            Assert.That(await store.In(work).CountUnfinishedAsync(scan, Me), Is.Zero, "the work sees its own delete");
        } // rolled back
        Assert.That(await store.CountUnfinishedAsync(scan, Me), Is.EqualTo(2));

        await using (var work = await database.BeginAsync())
        {
            await store.In(work).ForgetAsync(scan);
            await work.CommitAsync(CancellationToken.None);
        }
        Assert.That(await store.CountUnfinishedAsync(scan, Me), Is.Zero);
        Assert.That(await store.CountUnfinishedAsync(kept, Me), Is.EqualTo(1), "other scans' attempts stay");
    }

    [Test]
    public async Task Pruning_removes_attempts_started_before_the_cut_off_only()
    {
        var (store, _) = await CreateAsync();
        var (old, recent) = (Guid.NewGuid(), Guid.NewGuid());
        await store.RecordAsync(old, Guid.NewGuid(), T0.AddDays(-8));
        await store.RecordAsync(recent, Guid.NewGuid(), T0);

        Assert.That(await store.PruneAsync(T0.AddDays(-7)), Is.EqualTo(1));

        Assert.That(await store.CountUnfinishedAsync(old, Me), Is.Zero);
        Assert.That(await store.CountUnfinishedAsync(recent, Me), Is.EqualTo(1));
    }
}

public sealed class SqliteScanAttemptStoreTests : ScanAttemptStoreContractTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("scan-attempts-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<(IScanAttemptStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "inventories.db"));
        return Task.FromResult<(IScanAttemptStore, IServiceDatabase)>((new SqliteScanAttemptStore(database), database));
    }
}

public sealed class MongoScanAttemptStoreTests : ScanAttemptStoreContractTests
{
    protected override async Task<(IScanAttemptStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new MongoServiceDatabase(await MongoTestDatabase.CreateOrIgnoreAsync("attempts"), "inventories");
        return (new MongoScanAttemptStore(database), database);
    }
}
