using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.TestSupport;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Scanner;

/// <summary>
/// The scanner's ScanImage handling on MassTransit's in-memory harness against a real docker-registry,
/// a real SQLite advisory database and inventory store: a RESCAN re-matches the stored inventory
/// without one request to the registry, unless that inventory is stale.
/// </summary>
[NonParallelizable]
public sealed class RescanFromInventoryTests
{
    private const string Registry = "local";
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
    private string _directory = "";
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private SqliteAdvisoryStore _advisories = null!;
    private SqliteInventoryStore _inventories = null!;

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
    public async Task StartScanner()
    {
        _directory = Directory.CreateTempSubdirectory("rescan-scanner-").FullName;
        _advisories = new SqliteAdvisoryStore(Path.Combine(_directory, "advisories.db"));
        _inventories = new SqliteInventoryStore(Path.Combine(_directory, "inventories.db"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:0:Name"] = Registry,
            ["Registries:0:Url"] = _registry.Url.ToString(),
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<IAdvisoryStore>(_advisories)
            .AddSingleton<IInventoryStore>(_inventories)
            .AddSingleton<ImageScanner>()
            .AddSingleton<ScannerMetrics>()
            .AddSingleton<ScanImageHandler>();
        services.AddRegistryClients(configuration.GetSection("Registries"));
        foreach (var ecosystem in EcosystemCatalog.All()) services.AddSingleton(ecosystem);
        _provider = services
            .AddMassTransitTestHarness(x => x.AddConsumer<BasicScanConsumer>())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    [TearDown]
    public async Task StopScanner()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        _advisories.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The BASIC scanner's consumer, as services/BasicScanner wires it.</summary>
    private sealed class BasicScanConsumer(ScanImageHandler handler) : IConsumer<ScanImage>
    {
        public Task Consume(ConsumeContext<ScanImage> context) => handler.HandleAsync(context, includeLanguagePackages: false);
    }

    private ImageScanner Scanner => _provider.GetRequiredService<ImageScanner>();

    private async Task<ImageScanned> ScanAsync(ScanTrigger trigger)
    {
        var command = new ScanImage(Guid.NewGuid(), new ImageRef(Registry, Repository, _image.Digest, ["v1"]), ScanType.BASIC, trigger, DateTimeOffset.UtcNow);
        await _harness.Bus.Publish(command);
        // The harness's inactivity wait can end before a fresh command is even delivered: wait for this scan's outcome itself.
        for (var i = 0; i < 1200 && !Finished(command.ScanId); i++) await Task.Delay(50);
        Assert.That(_harness.Published.Select<ImageScanFailed>(p => p.Context.Message.ScanId == command.ScanId).Select(p => p.Context.Message.Message),
            Is.Empty, "the scan failed");
        Assert.That(_harness.Published.Select<Fault<ScanImage>>(p => p.Context.Message.Message.ScanId == command.ScanId)
            .SelectMany(p => p.Context.Message.Exceptions).Select(e => e.Message), Is.Empty, "the handler threw");
        var scanned = _harness.Published.Select<ImageScanned>(p => p.Context.Message.ScanId == command.ScanId).Select(p => p.Context.Message).ToList();
        Assert.That(scanned, Has.Count.EqualTo(1));
        return scanned[0];
    }

    private bool Finished(Guid scanId) =>
        _harness.Published.Select<ImageScanned>(p => p.Context.Message.ScanId == scanId).Any()
        || _harness.Published.Select<ImageScanFailed>(p => p.Context.Message.ScanId == scanId).Any()
        || _harness.Published.Select<Fault<ScanImage>>(p => p.Context.Message.Message.ScanId == scanId).Any();

    private async Task ImportAclAdvisoryAsync() => await _advisories.UpsertAsync(OsvParser.Parse(AclAdvisory), AclAdvisory);

    private static IEnumerable<string> AclFindings(ImageScanned scanned) =>
        scanned.Findings.Where(f => f.VulnerabilityId == "DSA-TEST-ACL-1").Select(f => f.Package.Name).Order(StringComparer.Ordinal);

    [Test]
    public async Task A_rescan_rematches_the_stored_inventory_against_new_advisories_without_pulling_the_image()
    {
        var beforePush = _registry.LogPosition;
        var pushed = await ScanAsync(ScanTrigger.PUSH);
        Assert.That(_registry.Fetches(Repository, beforePush), Is.Not.Empty, "the first scan pulls the image");
        Assert.That(AclFindings(pushed), Is.Empty, "no advisory for acl yet");
        var stored = await _inventories.GetAsync(Registry, Repository, _image.Digest);
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
        var current = await _inventories.GetAsync(Registry, Repository, _image.Digest);
        await _inventories.SaveAsync(current! with { ScannerVersion = "dpkg/0,os-release/1" });
        await ImportAclAdvisoryAsync();

        var beforeRescan = _registry.LogPosition;
        var rescanned = await ScanAsync(ScanTrigger.RESCAN);

        Assert.That(_registry.Fetches(Repository, beforeRescan), Is.Not.Empty, "a stale inventory is not trusted: the image is pulled");
        Assert.That(AclFindings(rescanned), Is.EqualTo(new[] { "acl", "libacl1" }));
        Assert.That(rescanned.InventoryUnchanged, Is.False, "a re-pull sends the inventory it read, which may differ");
        Assert.That(rescanned.Packages.Select(p => p.Name), Does.Contain("acl"));
        var replaced = await _inventories.GetAsync(Registry, Repository, _image.Digest);
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
        Assert.That(await _inventories.GetAsync(Registry, Repository, _image.Digest), Is.Not.Null);
    }

    [Test]
    public async Task A_rescan_of_an_unreadable_inventory_pulls_the_image_again_and_replaces_it()
    {
        await ScanAsync(ScanTrigger.PUSH);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "inventories.db")};Pooling=false"))
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
        Assert.That((await _inventories.GetAsync(Registry, Repository, _image.Digest))!.ScannerVersion, Is.EqualTo(Scanner.VersionFor(false)));
    }
}
