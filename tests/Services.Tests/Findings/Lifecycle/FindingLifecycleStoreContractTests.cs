using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>The finding lifecycle over one store; every IFindingLifecycleStore must pass it.</summary>
public abstract partial class FindingLifecycleStoreContractTests
{
    /// <summary>A new, empty service database and the store on it.</summary>
    protected abstract Task<(IFindingLifecycleStore Store, IServiceDatabase Database)> CreateStoreAsync();

    private IFindingLifecycleStore _store = null!;
    private IServiceDatabase _database = null!;
    private ManualClock _clock = null!;
    private FindingLifecycleService _lifecycle = null!;

    [SetUp]
    public async Task CreateAsync()
    {
        (_store, _database) = await CreateStoreAsync();
        _clock = new ManualClock(T0);
        _lifecycle = new FindingLifecycleService(_store, new FindingArns(Options), _clock);
    }

    private async Task<IReadOnlyList<FindingDetail>> AllAsync(ImageRef image) =>
        (await _store.QueryAsync(new ListFindings(new FindingFilter(ImageDigest: image.Digest), FindingSortField.VULNERABILITY_ID, SortOrder.ASC, 100, null))).Findings;

    [Test]
    public async Task A_first_scan_creates_active_findings_with_inspector_arns()
    {
        var image = Image('a');
        var events = await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-2024-1", FindingSeverity.HIGH, "openssl"),
            Finding("CVE-2024-2", FindingSeverity.LOW, "zlib", fixedIn: null)), default);

        var stored = await AllAsync(image);
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Change), Is.All.EqualTo(FindingChangeKind.CREATED));
            Assert.That(stored.Select(f => f.Finding.VulnerabilityId), Is.EqualTo(new[] { "CVE-2024-1", "CVE-2024-2" }));
            Assert.That(stored.Select(f => f.Status), Is.All.EqualTo(FindingStatus.ACTIVE));
            Assert.That(stored.Select(f => f.FindingArn), Is.All.Match("^arn:aws:inspector2:eu-central-1:123456789012:finding/[a-f0-9]{32}$"));
            Assert.That(stored.Select(f => f.FixAvailable), Is.EqualTo(new[] { FixAvailable.YES, FixAvailable.NO }));
            Assert.That(stored.Select(f => f.FirstObservedAt), Is.All.EqualTo(T0));
            Assert.That(stored.Select(f => f.LastObservedAt), Is.All.EqualTo(T0));
            Assert.That(events.Select(e => e.FindingArn), Is.EquivalentTo(stored.Select(f => f.FindingArn)));
        });
    }

    [Test]
    public async Task Re_observing_keeps_the_id_moves_last_observed_and_announces_only_real_changes()
    {
        var image = Image('b');
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib")), default);
        var before = await AllAsync(image);

        var events = await _lifecycle.ApplyScanAsync(Scan(image, T0.AddHours(1),
            Finding("CVE-1", FindingSeverity.CRITICAL, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib")), default);

        var after = await AllAsync(image);
        Assert.Multiple(() =>
        {
            Assert.That(after.Select(f => f.FindingArn), Is.EqualTo(before.Select(f => f.FindingArn)));
            Assert.That(after.Select(f => f.LastObservedAt), Is.All.EqualTo(T0.AddHours(1)));
            Assert.That(after.Select(f => f.FirstObservedAt), Is.All.EqualTo(T0));
            Assert.That(events, Has.Count.EqualTo(1));
            Assert.That(events[0].Change, Is.EqualTo(FindingChangeKind.UPDATED));
            Assert.That(events[0].Finding.Severity, Is.EqualTo(FindingSeverity.CRITICAL));
            Assert.That(after[0].UpdatedAt, Is.EqualTo(T0.AddHours(1)));
            Assert.That(after[1].UpdatedAt, Is.EqualTo(T0), "an unchanged finding keeps updatedAt");
        });
    }

    [Test]
    public async Task A_finding_no_longer_seen_closes_and_comes_back_within_seven_days_with_the_same_id()
    {
        var image = Image('c');
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);
        var arn = (await AllAsync(image)).Single().FindingArn;

        var closing = await _lifecycle.ApplyScanAsync(Scan(image, T0.AddDays(1)), default);
        var closed = (await AllAsync(image)).Single();
        var reopening = await _lifecycle.ApplyScanAsync(Scan(image, T0.AddDays(7), Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);
        var reopened = (await AllAsync(image)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(closing.Single().Change, Is.EqualTo(FindingChangeKind.CLOSED));
            Assert.That(closed.Status, Is.EqualTo(FindingStatus.CLOSED));
            Assert.That(closed.ClosedAt, Is.EqualTo(T0.AddDays(1)));
            Assert.That(reopening.Single().Change, Is.EqualTo(FindingChangeKind.UPDATED));
            Assert.That(reopened.FindingArn, Is.EqualTo(arn));
            Assert.That(reopened.Status, Is.EqualTo(FindingStatus.ACTIVE));
            Assert.That(reopened.FirstObservedAt, Is.EqualTo(T0));
            Assert.That(reopened.ClosedAt, Is.Null);
        });
    }

    [Test]
    public async Task A_finding_back_after_more_than_seven_days_is_a_new_finding_and_the_old_one_stays_closed()
    {
        var image = Image('d');
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);
        var old = (await AllAsync(image)).Single().FindingArn;
        await _lifecycle.ApplyScanAsync(Scan(image, T0.AddDays(1)), default);

        var events = await _lifecycle.ApplyScanAsync(Scan(image, T0.AddDays(8).AddMinutes(1), Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);

        var all = await AllAsync(image);
        Assert.Multiple(() =>
        {
            Assert.That(events.Single().Change, Is.EqualTo(FindingChangeKind.CREATED));
            Assert.That(events.Single().FindingArn, Is.Not.EqualTo(old));
            Assert.That(all.Single(f => f.FindingArn == old).Status, Is.EqualTo(FindingStatus.CLOSED));
            Assert.That(all.Single(f => f.FindingArn != old).Status, Is.EqualTo(FindingStatus.ACTIVE));
            Assert.That(all.Single(f => f.FindingArn != old).FirstObservedAt, Is.EqualTo(T0.AddDays(8).AddMinutes(1)));
        });
    }

    [Test]
    public async Task A_late_older_scan_changes_nothing_and_a_redelivered_scan_announces_nothing_twice()
    {
        var image = Image('e');
        var newer = Scan(image, T0.AddHours(2), Finding("CVE-2", FindingSeverity.MEDIUM, "zlib"));
        await _lifecycle.ApplyScanAsync(newer, default);

        var late = await _lifecycle.ApplyScanAsync(Scan(image, T0.AddHours(1), Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);
        var again = await _lifecycle.ApplyScanAsync(newer, default);

        Assert.That(late, Is.Empty);
        Assert.That(again, Is.Empty);
        var all = await AllAsync(image);
        Assert.That(all.Select(f => (f.Finding.VulnerabilityId, f.Status)), Is.EqualTo(new[] { ("CVE-2", FindingStatus.ACTIVE) }));
    }

    [Test]
    public async Task Eligibility_expiry_closes_every_open_finding_of_the_image_only()
    {
        var image = Image('f');
        var other = Image('g');
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib")), default);
        await _lifecycle.ApplyScanAsync(Scan(other, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);

        var events = await _lifecycle.ExpireAsync(image, T0.AddDays(14), default);

        Assert.That(events.Select(e => (e.Change, e.Status)), Is.All.EqualTo((FindingChangeKind.CLOSED, FindingStatus.CLOSED)));
        Assert.That(events, Has.Count.EqualTo(2));
        Assert.That((await AllAsync(image)).Select(f => f.Status), Is.All.EqualTo(FindingStatus.CLOSED));
        Assert.That((await AllAsync(other)).Single().Status, Is.EqualTo(FindingStatus.ACTIVE));
    }

    [Test]
    public async Task Fix_availability_is_partial_when_only_some_packages_of_a_vulnerability_have_a_fix()
    {
        var image = Image('h');
        await _lifecycle.ApplyScanAsync(Scan(image, T0,
            Finding("CVE-1", FindingSeverity.HIGH, "libssl3"), Finding("CVE-1", FindingSeverity.HIGH, "openssl", fixedIn: null)), default);

        Assert.That((await AllAsync(image)).Select(f => f.FixAvailable), Is.All.EqualTo(FixAvailable.PARTIAL));
    }

    [Test]
    public async Task A_stale_revision_cannot_commit_and_the_latest_inventory_is_kept()
    {
        var image = Image('i');
        var scan = Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"));
        await _lifecycle.ApplyScanAsync(scan, default);
        var state = await _store.GetImageAsync(FindingRecord.KeyOf(image));

        var stale = await _store.TryCommitAsync(new ImageFindingsCommit(state.ImageKey, state.Revision - 1, T0.AddHours(1), Guid.NewGuid(), [], null));
        var inventory = await _store.GetInventoryAsync(state.ImageKey);

        Assert.Multiple(() =>
        {
            Assert.That(state.Revision, Is.EqualTo(1));
            Assert.That(stale, Is.False);
            Assert.That(inventory!.Packages.Select(p => p.Name), Is.EqualTo(new[] { "openssl" }));
            Assert.That(inventory.OperatingSystem!.VersionId, Is.EqualTo("12"));
        });
    }
}

public sealed class SqliteFindingLifecycleStoreTests : FindingLifecycleStoreContractTests
{
    private string _directory = "";

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    // Created here, not in a [SetUp]: the base class's set-up runs first and already needs the store.
    protected override Task<(IFindingLifecycleStore Store, IServiceDatabase Database)> CreateStoreAsync()
    {
        _directory = Directory.CreateTempSubdirectory("finding-lifecycle-").FullName;
        var database = new SqliteDatabase(Path.Combine(_directory, "findings.db"));
        return Task.FromResult<(IFindingLifecycleStore, IServiceDatabase)>((new SqliteFindingLifecycleStore(database), database));
    }

    protected override IFindingLifecycleStore CreateStoreOnSameDatabase() =>
        new SqliteFindingLifecycleStore(new SqliteDatabase(Path.Combine(_directory, "findings.db")));
}

public sealed class MongoFindingLifecycleStoreTests : FindingLifecycleStoreContractTests
{
    protected override async Task<(IFindingLifecycleStore Store, IServiceDatabase Database)> CreateStoreAsync()
    {
        var database = new MongoServiceDatabase(await MongoTestDatabase.CreateOrIgnoreAsync("lifecycle"), "findings");
        _mongo = database.Database;
        return (new MongoFindingLifecycleStore(database), database);
    }

    private MongoDB.Driver.IMongoDatabase _mongo = null!;

    protected override IFindingLifecycleStore CreateStoreOnSameDatabase() =>
        new MongoFindingLifecycleStore(new MongoServiceDatabase(_mongo, "findings"));
}
