using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.Services.Tests.Scanner.Support;
using ImageScanning.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// The scanner's ScanImage handling as its host wires it, on MassTransit's in-memory bus against a real docker-registry, a real
/// SQLite advisory database and the scanners' SQLite database: a RESCAN re-matches the stored inventory without one request to
/// the registry, unless that inventory is stale, and its result is published as ImageRescanned.
/// </summary>
[NonParallelizable]
public sealed class RescanFromInventoryTests
{
    private const string Repository = "team/debian";

    // Debian 12's /usr/lib/os-release as the base-files package ships it.
    private const string Bookworm = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION="12 (bookworm)"
        VERSION_CODENAME=bookworm
        ID=debian
        HOME_URL="https://www.debian.org/"
        SUPPORT_URL="https://www.debian.org/support"
        BUG_REPORT_URL="https://bugs.debian.org/"

        """;

    // The status file lists acl 2.3.1-3 and libacl1 2.3.1-3 (source acl); the fix is one Debian revision later.
    private const string AclAdvisory = """
        {
          "id": "DSA-TEST-ACL-1",
          "summary": "acl - security update",
          "modified": "2026-11-28T00:00:00Z",
          "published": "2026-11-28T00:00:00Z",
          "aliases": ["CVE-2026-99999"],
          "affected": [{
            "package": { "name": "acl", "ecosystem": "Debian:12", "purl": "pkg:deb/debian/acl?arch=source" },
            "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": "2.3.1-4" }] }]
          }]
        }
        """;

    private RegistryServer _registry = null!;
    private PushedImage _image = null!;
    private ScannerTestHost _scanner = null!;

    [OneTimeSetUp]
    public async Task StartRegistryAndPushImage()
    {
        _registry = await RegistryServer.StartAsync();
        var status = await File.ReadAllBytesAsync(Corpus.PathOf("inventory", "dpkg", "debian-12-scalibr-valid", "var", "lib", "dpkg", "status"));
        _image = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(rootfs => rootfs
                .WriteFile("usr/lib/os-release", Bookworm)
                .Symlink("etc/os-release", "../usr/lib/os-release")
                .WriteFile("var/lib/dpkg/status", status)),
            _registry, Repository, "v1");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await _registry.DisposeAsync();

    [SetUp]
    public async Task StartScanner() => _scanner = await ScannerTestHost.StartAsync(_registry.Url);

    [TearDown]
    public async Task StopScanner() => await _scanner.DisposeAsync();

    private ImageScanner Scanner => _scanner.Services.GetRequiredService<ImageScanner>();

    private IInventoryStore Inventories => _scanner.Inventories;

    /// <summary>One scan; a RESCAN's result comes as ImageRescanned, every other as ImageScanned, and only that.</summary>
    private async Task<ImageScanned> ScanAsync(ScanTrigger trigger)
    {
        var command = await _scanner.ScanAsync(Repository, _image.Digest, trigger);
        await _scanner.Results.WaitForAsync(command.ScanId);
        await Task.Delay(200); // time for a second result, which must not come
        Assert.That(_scanner.Results.Of<ImageScanFailed>(command.ScanId).Select(f => f.Message), Is.Empty, "the scan failed");
        Assert.That(_scanner.Results.Of<Fault<ScanImage>>(command.ScanId).SelectMany(f => f.Exceptions).Select(e => e.Message), Is.Empty, "the handler threw");
        var scanned = _scanner.Results.Of<ImageScanned>(command.ScanId);
        var rescanned = _scanner.Results.Of<ImageRescanned>(command.ScanId).Select(r => r.Scan).ToList();
        if (trigger == ScanTrigger.RESCAN)
        {
            Assert.That(scanned, Is.Empty, "a re-scan's result is not an ImageScanned: push result consumers never see it");
            Assert.That(rescanned, Has.Count.EqualTo(1));
            return rescanned[0];
        }
        Assert.That(rescanned, Is.Empty);
        Assert.That(scanned, Has.Count.EqualTo(1));
        return scanned[0];
    }

    private async Task ImportAclAdvisoryAsync() => await _scanner.Advisories.UpsertAsync(OsvParser.Parse(AclAdvisory), AclAdvisory);

    private static IEnumerable<string> AclFindings(ImageScanned scanned) =>
        scanned.Findings.Where(f => f.VulnerabilityId == "DSA-TEST-ACL-1").Select(f => f.Package.Name).Order(StringComparer.Ordinal);

    [Test]
    public async Task A_rescan_rematches_the_stored_inventory_against_new_advisories_without_pulling_the_image()
    {
        var beforePush = _registry.LogPosition;
        var pushed = await ScanAsync(ScanTrigger.PUSH);
        Assert.That(_registry.Fetches(Repository, beforePush), Is.Not.Empty, "the first scan pulls the image");
        Assert.That(AclFindings(pushed), Is.Empty, "no advisory for acl yet");
        var stored = await Inventories.GetAsync(ScannerTestHost.Registry, Repository, _image.Digest);
        Assert.That(stored, Is.Not.Null, "the push scan stored its inventory");
        Assert.That(stored!.ScannerVersion, Is.EqualTo(Scanner.VersionFor(false)));
        Assert.That(stored.Distribution, Is.EqualTo(new Distribution("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)")));
        Assert.That(stored.Packages.Select(p => p.Name), Does.Contain("acl").And.Contain("libacl1"));

        await ImportAclAdvisoryAsync();
        var afterFirstScan = _registry.LogPosition;
        var rescanned = await ScanAsync(ScanTrigger.RESCAN);

        Assert.That(_registry.Fetches(Repository, afterFirstScan), Is.Empty, "the rescan made no registry request");
        Assert.That(AclFindings(rescanned), Is.EqualTo(new[] { "acl", "libacl1" }));
        Assert.That(pushed.InventoryUnchanged, Is.False);
        Assert.That(pushed.Packages.Select(p => p.Name), Does.Contain("acl"));
        Assert.That(rescanned.InventoryUnchanged, Is.True, "a re-match says its inventory is the stored one");
        Assert.That(rescanned.Packages, Is.Empty, "and does not repeat it: the router and Findings hold it from the push scan");
        Assert.That(rescanned.OperatingSystem, Is.EqualTo(pushed.OperatingSystem));
        Assert.That(rescanned.Trigger, Is.EqualTo(ScanTrigger.RESCAN));
    }

    [Test]
    public async Task A_rescan_of_an_inventory_made_by_another_finder_set_pulls_the_image_again_and_stores_a_current_one()
    {
        await ScanAsync(ScanTrigger.PUSH);
        var current = await Inventories.GetAsync(ScannerTestHost.Registry, Repository, _image.Digest);
        await Inventories.SaveAsync(current! with { ScannerVersion = "dpkg/0,os-release/1" });
        await ImportAclAdvisoryAsync();

        var beforeRescan = _registry.LogPosition;
        var rescanned = await ScanAsync(ScanTrigger.RESCAN);

        Assert.That(_registry.Fetches(Repository, beforeRescan), Is.Not.Empty, "a stale inventory is not trusted: the image is pulled");
        Assert.That(AclFindings(rescanned), Is.EqualTo(new[] { "acl", "libacl1" }));
        Assert.That(rescanned.InventoryUnchanged, Is.False, "a re-pull sends the inventory it read, which may differ");
        Assert.That(rescanned.Packages.Select(p => p.Name), Does.Contain("acl"));
        var replaced = await Inventories.GetAsync(ScannerTestHost.Registry, Repository, _image.Digest);
        Assert.That(replaced!.ScannerVersion, Is.EqualTo(Scanner.VersionFor(false)));
    }

    [Test]
    public async Task A_rescan_of_an_image_never_inventoried_pulls_it_and_stores_its_inventory()
    {
        var before = _registry.LogPosition;
        var rescanned = await ScanAsync(ScanTrigger.RESCAN);

        Assert.That(_registry.Fetches(Repository, before), Is.Not.Empty);
        Assert.That(rescanned.Packages, Is.Not.Empty);
        Assert.That(rescanned.InventoryUnchanged, Is.False);
        Assert.That(await Inventories.GetAsync(ScannerTestHost.Registry, Repository, _image.Digest), Is.Not.Null);
    }

    [Test]
    public async Task A_rescan_of_an_unreadable_inventory_pulls_the_image_again_and_replaces_it()
    {
        await ScanAsync(ScanTrigger.PUSH);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_scanner.Directory, "inventories.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE inventories SET inventory = '{truncated'";
            Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        var before = _registry.LogPosition;
        var rescanned = await ScanAsync(ScanTrigger.RESCAN);

        Assert.That(_registry.Fetches(Repository, before), Is.Not.Empty);
        Assert.That(rescanned.Packages, Is.Not.Empty);
        Assert.That((await Inventories.GetAsync(ScannerTestHost.Registry, Repository, _image.Digest))!.ScannerVersion, Is.EqualTo(Scanner.VersionFor(false)));
    }
}
