using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Scanning;

/// <summary>
/// Distroless and static images, pushed to a real registry: an os-release without an OS package database is reported
/// with its language packages and a warning (ENHANCED), fails UNSUPPORTED_IMAGE naming the database (BASIC), and an
/// image with no os-release and no packages still fails.
/// </summary>
[TestFixture]
public sealed class NoOsPackageDatabaseTests
{
    private const string Registry = "local";
    private const string DebianOsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n";
    private RegistryServer _registry = null!;
    private ServiceProvider _services = null!;
    private SqliteAdvisoryStore _store = null!;
    private string _work = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescanning-distroless-").FullName;
        _registry = await RegistryServer.StartAsync();
        _services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = _registry.Url.ToString() });
        _store = new SqliteAdvisoryStore(Path.Combine(_work, "advisories.db"));
        var raw = new JsonObject
        {
            ["id"] = "TEST-REQUESTS", ["modified"] = "2026-11-28T00:00:00Z", ["summary"] = "requests - test advisory",
            ["affected"] = new JsonArray(new JsonObject
            {
                ["package"] = new JsonObject { ["ecosystem"] = "PyPI", ["name"] = "requests" },
                ["ranges"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ECOSYSTEM",
                    ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, new JsonObject { ["fixed"] = "2.32.0" }),
                }),
            }),
        }.ToJsonString();
        await _store.UpsertAsync(OsvParser.Parse(raw), raw);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _store.Dispose();
        await _services.DisposeAsync();
        await _registry.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private async Task<string> PushAsync(string name, Action<RootfsEditor> root) =>
        (await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(root), _registry, "test/" + name, "v1")).Digest;

    private Task<ImageScanResult> ScanAsync(string name, string digest, bool enhanced) =>
        new ImageScanner(_services.GetRequiredService<ImageReader>(), _store, EcosystemCatalog.All())
            .ScanAsync(Registry, "test/" + name, digest, enhanced, CancellationToken.None);

    private static void Distroless(RootfsEditor root)
    {
        root.WriteFile("etc/os-release", DebianOsRelease)
            .WriteFile("usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n");
        // distroless/static keeps an empty per-package directory and no status file.
        Directory.CreateDirectory(root.PathOf("var/lib/dpkg/status.d"));
    }

    [Test]
    public async Task An_enhanced_scan_reports_the_os_the_language_packages_their_findings_and_a_warning()
    {
        var digest = await PushAsync("distroless", Distroless);

        var result = await ScanAsync("distroless", digest, enhanced: true);

        Assert.Multiple(() =>
        {
            Assert.That(result.Distribution, Is.EqualTo(new Distribution("debian", "12", null, "Debian GNU/Linux 12 (bookworm)")));
            Assert.That(result.Packages.Select(p => (p.Type, p.Name, p.Version)), Is.EqualTo(new[] { ("pypi", "requests", "2.31.0") }));
            Assert.That(result.Vulnerabilities.Select(m => (m.VulnerabilityId, m.FixedInVersion)), Is.EqualTo(new[] { ("TEST-REQUESTS", (string?)"2.32.0") }));
            Assert.That(result.Warnings.Select(w => w.Path), Is.EqualTo(new[] { "var/lib/dpkg/status" }));
            Assert.That(result.Warnings[0].Reason, Does.Contain("No OS package database was found for Debian GNU/Linux 12 (bookworm)")
                .And.Contain("OS packages were not inventoried").And.Contain("1 language packages were"));
        });
    }

    /// <summary>A re-scan from the stored inventory (no pull) reports the same warning: the inventory itself implies it.</summary>
    [Test]
    public async Task A_rematch_of_its_stored_inventory_keeps_the_warning()
    {
        var digest = await PushAsync("distroless-rematch", Distroless);
        var scanner = new ImageScanner(_services.GetRequiredService<ImageReader>(), _store, EcosystemCatalog.All());
        var scanned = await scanner.ScanAsync(Registry, "test/distroless-rematch", digest, includeLanguagePackages: true, CancellationToken.None);

        var rematched = await scanner.RematchAsync(scanned.Distribution, scanned.Packages, digest, scanned.MediaType, includeLanguagePackages: true, CancellationToken.None);

        Assert.That(rematched.Warnings, Is.EqualTo(scanned.Warnings));
        Assert.That(rematched.Warnings.Select(w => w.Path), Is.EqualTo(new[] { "var/lib/dpkg/status" }));
        Assert.That(rematched.Vulnerabilities.Select(m => m.VulnerabilityId), Is.EqualTo(new[] { "TEST-REQUESTS" }));
    }

    [Test]
    public async Task A_basic_scan_of_it_is_unsupported_naming_the_missing_database()
    {
        var digest = await PushAsync("distroless-basic", Distroless);

        var e = Assert.ThrowsAsync<ScanException>(() => ScanAsync("distroless-basic", digest, enhanced: false));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
        Assert.That(e.Message, Does.Contain("Debian GNU/Linux 12 (bookworm)").And.Contain("no OS package database (var/lib/dpkg/status)")
            .And.Contain("BASIC scan inventories OS packages only"));
    }

    [Test]
    public async Task An_os_release_alone_is_an_empty_result_with_the_warning()
    {
        var digest = await PushAsync("static", r => r.WriteFile("etc/os-release", DebianOsRelease).WriteFile("app/server", "#!/bin/false\n"));

        var result = await ScanAsync("static", digest, enhanced: true);

        Assert.That(result.Packages, Is.Empty);
        Assert.That(result.Warnings.Select(w => (w.Path, w.Reason.Contains("0 language packages were"))), Is.EqualTo(new[] { ("var/lib/dpkg/status", true) }));
    }

    [Test]
    public async Task An_unknown_os_names_every_database_it_looked_for()
    {
        var digest = await PushAsync("unknown-os", r => r.WriteFile("etc/os-release", "ID=scratchy\nVERSION_ID=1\n"));

        var result = await ScanAsync("unknown-os", digest, enhanced: true);

        Assert.That(result.Warnings.Select(w => w.Path), Is.EqualTo(new[] { "var/lib/dpkg/status, lib/apk/db/installed or var/lib/rpm" }));
    }

    [Test]
    public async Task Language_packages_without_an_os_release_need_no_warning()
    {
        var digest = await PushAsync("scratch-app", r => r.WriteFile("app/package-lock.json",
            "{\"name\":\"app\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"app\"},\"node_modules/lodash\":{\"version\":\"4.17.20\"}}}"));

        var result = await ScanAsync("scratch-app", digest, enhanced: true);

        Assert.That(result.Distribution, Is.Null);
        Assert.That(result.Packages.Select(p => (p.Type, p.Name)), Is.EqualTo(new[] { ("npm", "lodash") }));
        Assert.That(result.Warnings, Is.Empty);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task No_os_release_and_no_packages_is_still_unsupported(bool enhanced)
    {
        var digest = await PushAsync("empty-" + enhanced.ToString().ToLowerInvariant(), r => r.WriteFile("app/server", "#!/bin/false\n"));

        var e = Assert.ThrowsAsync<ScanException>(() => ScanAsync("empty-" + enhanced.ToString().ToLowerInvariant(), digest, enhanced));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
        Assert.That(e.Message, Is.EqualTo("No operating system (os-release) and no packages were found in the image."));
    }
}
