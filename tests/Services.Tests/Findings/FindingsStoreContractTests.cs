using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>One behaviour suite that every IFindingsStore implementation must pass.</summary>
public abstract class FindingsStoreContractTests
{
    /// <summary>A new, empty service database and the store on it.</summary>
    protected abstract Task<(IFindingsStore Store, IServiceDatabase Database)> CreateAsync();

    private async Task<IFindingsStore> CreateStoreAsync() => (await CreateAsync()).Store;

    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-28T01:00:00Z");

    private static PackageRecord Package(string name) =>
        new(name, "1.0-1", "deb", "Debian:12", name + "-src", "1.0-1", "amd64", "var/lib/dpkg/status", "sha256:" + new string('1', 64));

    private static ImageScanRecord Scan(string digestChar, DateTimeOffset at, params VulnerabilityFinding[] findings) => new(
        Guid.NewGuid(), new ImageRef("local", "team/app", "sha256:" + new string(digestChar[0], 64), ["v1"]),
        ScanType.BASIC, ScanTrigger.PUSH, ScanStatus.COMPLETE, "The scan was completed successfully.", null,
        ImageScanRecord.CountBySeverity(findings), findings, at, at.AddHours(-1));

    private static VulnerabilityFinding Finding(string id, FindingSeverity severity, string package) =>
        new(id, ["CVE-" + id], severity, "title " + id, "description", "https://example.test/" + id, 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "2.0-1", Package(package));

    [Test]
    public async Task An_image_never_scanned_has_no_scan()
    {
        var store = await CreateStoreAsync();
        Assert.That(await store.GetLatestScanAsync("local", "team/app", "sha256:" + new string('0', 64)), Is.Null);
    }

    [Test]
    public async Task A_stored_scan_round_trips_with_its_findings()
    {
        var store = await CreateStoreAsync();
        var scan = Scan("a", T0, Finding("DSA-1", FindingSeverity.HIGH, "openssl"), Finding("DLA-2", FindingSeverity.LOW, "zlib"));

        await store.SaveScanAsync(scan);
        var loaded = await store.GetLatestScanAsync("local", "team/app", scan.Image.Digest);

        Assert.That(loaded, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(loaded!.ScanId, Is.EqualTo(scan.ScanId));
            Assert.That(loaded.Findings.Select(f => f.VulnerabilityId), Is.EqualTo(new[] { "DSA-1", "DLA-2" }));
            Assert.That(loaded.Findings[0].Package, Is.EqualTo(scan.Findings[0].Package));
            Assert.That(loaded.Findings[0].Aliases, Is.EqualTo(new[] { "CVE-DSA-1" }));
            Assert.That(loaded.FindingSeverityCounts, Is.EquivalentTo(new Dictionary<FindingSeverity, int> { [FindingSeverity.HIGH] = 1, [FindingSeverity.LOW] = 1 }));
            Assert.That(loaded.CompletedAt, Is.EqualTo(T0));
            Assert.That(loaded.Image.Tags, Is.EqualTo(new[] { "v1" }));
        });
    }

    [Test]
    public async Task The_latest_scan_of_an_image_wins_and_saving_twice_is_idempotent()
    {
        var store = await CreateStoreAsync();
        var first = Scan("b", T0, Finding("DSA-1", FindingSeverity.HIGH, "openssl"));
        var second = Scan("b", T0.AddMinutes(5)) with { Image = first.Image };

        await store.SaveScanAsync(first);
        await store.SaveScanAsync(second);
        await store.SaveScanAsync(second);

        var latest = await store.GetLatestScanAsync("local", "team/app", first.Image.Digest);
        Assert.That(latest!.ScanId, Is.EqualTo(second.ScanId));
        Assert.That(latest.Findings, Is.Empty);
        var listed = await store.ListScansAsync(T0.AddMinutes(-1), 10);
        Assert.That(listed.Select(s => s.ScanId), Is.EqualTo(new[] { second.ScanId, first.ScanId }));
    }

    [Test]
    public async Task A_scan_is_found_by_its_id_and_an_unknown_id_finds_nothing()
    {
        var store = await CreateStoreAsync();
        var scan = Scan("h", T0, Finding("DSA-1", FindingSeverity.HIGH, "openssl"));
        await store.SaveScanAsync(scan);

        Assert.That((await store.GetScanAsync(scan.ScanId))?.Findings.Select(f => f.VulnerabilityId), Is.EqualTo(new[] { "DSA-1" }));
        Assert.That(await store.GetScanAsync(Guid.NewGuid()), Is.Null);
    }

    [Test]
    public async Task A_scan_saved_in_a_unit_of_work_is_seen_by_the_work_at_once_and_by_others_after_the_commit()
    {
        var (store, database) = await CreateAsync();
        var dropped = Scan("i", T0);
        var kept = Scan("j", T0);

        await using (var work = await database.BeginAsync())
        {
            await store.In(work).SaveScanAsync(dropped);
            Assert.That(await store.In(work).GetScanAsync(dropped.ScanId), Is.Not.Null, "the work reads its own write");
            Assert.That(await store.GetScanAsync(dropped.ScanId), Is.Null, "nobody else before the commit");
        }
        await using (var work = await database.BeginAsync())
        {
            await store.In(work).SaveScanAsync(kept);
            await work.CommitAsync(CancellationToken.None);
        }

        Assert.That(await store.GetScanAsync(dropped.ScanId), Is.Null, "disposed without a commit: rolled back");
        Assert.That((await store.GetLatestScanAsync("local", "team/app", kept.Image.Digest))?.ScanId, Is.EqualTo(kept.ScanId));
    }

    [Test]
    public async Task Listing_scans_filters_by_time_newest_first_and_honours_the_limit()
    {
        var store = await CreateStoreAsync();
        var scans = Enumerable.Range(0, 5).Select(i => Scan(((char)('c' + i)).ToString(), T0.AddMinutes(i))).ToList();
        foreach (var s in scans) await store.SaveScanAsync(s);

        var after = await store.ListScansAsync(T0.AddMinutes(1), 10);
        var limited = await store.ListScansAsync(null, 2);

        Assert.That(after.Select(s => s.ScanId), Is.EqualTo(scans.Skip(2).Reverse().Select(s => s.ScanId)));
        Assert.That(limited.Select(s => s.ScanId), Is.EqualTo(new[] { scans[4].ScanId, scans[3].ScanId }));
    }
}

public sealed class SqliteFindingsStoreTests : FindingsStoreContractTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("findings-store-").FullName;

    [TearDown]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<(IFindingsStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "findings.db"));
        return Task.FromResult<(IFindingsStore, IServiceDatabase)>((new SqliteFindingsStore(database), database));
    }
}

public sealed class MongoFindingsStoreTests : FindingsStoreContractTests
{
    protected override async Task<(IFindingsStore Store, IServiceDatabase Database)> CreateAsync()
    {
        var database = new MongoServiceDatabase(await MongoTestDatabase.CreateOrIgnoreAsync("findings"), "findings");
        return (new MongoFindingsStore(database), database);
    }
}
