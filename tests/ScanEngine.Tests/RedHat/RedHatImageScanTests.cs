using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.ScanEngine.Tests.Rpm;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.RedHat;

/// <summary>
/// The real RHEL 8.0 ubi-minimal Berkeley DB and its os-release, pushed to a real registry as an image and scanned BASIC
/// by the engine's ImageScanner with the whole catalog, against Red Hat advisories in a SQLite store.
/// <para>
/// None of the corpus's Red Hat advisories affects a package of that database (git-lfs and the python39 module are not in
/// ubi-minimal; RHEL 8's curl is known_not_affected by CVE-2023-38545). So the store holds, besides the real records
/// (RHSA-2024:6220's OSV, RHSA-2024:4546 converted from CSAF), two test advisories built from real documents:
/// "TEST-RHSA-2024:4546" is Red Hat's RHSA-2024:4546 OSV record with its affected entries replaced by three on packages of
/// the database (glibc under baseos, libcurl and curl under appstream, test fix versions), and "REDHAT-CVE-2023-38545" is
/// the real VEX document converted with RHEL 8's curl moved from known_not_affected to known_affected.
/// </para>
/// </summary>
[TestFixture]
public sealed class RedHatImageScanTests
{
    private const string Registry = "local";
    private const string GlibcFix = "0:2.28-72.el8", LibcurlFix = "0:7.61.1-8.el8", CurlFix = "0:7.61.1-11.el8";
    private RegistryServer _registry = null!;
    private ServiceProvider _services = null!;
    private SqliteAdvisoryStore _store = null!;
    private string _work = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Directory.CreateTempSubdirectory("imagescanning-redhat-").FullName;
        _registry = await RegistryServer.StartAsync();
        _services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = _registry.Url.ToString() });
        _store = new SqliteAdvisoryStore(Path.Combine(_work, "advisories.db"));

        var real6220 = await File.ReadAllTextAsync(Corpus.PathOf("osv", "redhat", "RHSA-2024_6220.json"));
        await _store.UpsertAsync(OsvParser.Parse(real6220), real6220);
        await using (var csaf = File.OpenRead(Corpus.PathOf("native", "redhat-csaf", "rhsa-2024_4546.json")))
            await NativeFeed.StoreAsync(_store, await new RedHatCsafSource().ReadAsync(csaf));

        var test = JsonNode.Parse(await File.ReadAllTextAsync(Corpus.PathOf("osv", "redhat", "RHSA-2024_4546.json")))!.AsObject();
        test["id"] = "TEST-RHSA-2024:4546";
        test["affected"] = new JsonArray(
            Affected("Red Hat:enterprise_linux:8::baseos", "glibc", GlibcFix),
            Affected("Red Hat:enterprise_linux:8::appstream", "libcurl", LibcurlFix),
            Affected("Red Hat:enterprise_linux:8::appstream", "curl", CurlFix));
        var raw = test.ToJsonString();
        await _store.UpsertAsync(OsvParser.Parse(raw), raw);

        var vex = (await File.ReadAllTextAsync(Corpus.PathOf("native", "redhat-vex", "cve-2023-38545.json")))
            .Replace("\"known_not_affected\": [", "\"known_affected\": [\"red_hat_enterprise_linux_8:curl\"], \"known_not_affected\": [");
        await NativeFeed.StoreAsync(_store, await new RedHatVexSource().ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(vex))));
    }

    private static JsonObject Affected(string ecosystem, string name, string fix) => new()
    {
        ["package"] = new JsonObject { ["ecosystem"] = ecosystem, ["name"] = name, ["purl"] = "pkg:rpm/redhat/" + name },
        ["ranges"] = new JsonArray(new JsonObject
        {
            ["type"] = "ECOSYSTEM",
            ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, new JsonObject { ["fixed"] = fix }),
        }),
    };

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _store.Dispose();
        await _services.DisposeAsync();
        await _registry.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private async Task<ImageScanResult> ScanAsync(string name, TestImageBuilder image)
    {
        var digest = (await TestImages.BuildAndPushAsync(image, _registry, "test/" + name, "v1")).Digest;
        return await new ImageScanner(_services.GetRequiredService<ImageReader>(), _store, EcosystemCatalog.All())
            .ScanAsync(Registry, "test/" + name, digest, includeLanguagePackages: false, CancellationToken.None);
    }

    private static TestImageBuilder UbiMinimal() => TestImages.Builder().LayerFromDirectory(RedHatEcosystemTests.UbiMinimal());

    private static string Manifest(params string[] contentSets) =>
        $$"""{"metadata": {"icm_version": 1, "image_layer_index": 0}, "content_sets": [{{string.Join(", ", contentSets.Select(c => $"\"{c}\""))}}], "image_contents": []}""";

    [Test]
    public async Task Without_a_manifest_packages_match_baseos_appstream_and_release_wide_advisories()
    {
        var result = await ScanAsync("ubi-minimal", UbiMinimal());

        Assert.Multiple(() =>
        {
            Assert.That(result.Distribution?.Id, Is.EqualTo("rhel"));
            Assert.That(result.Packages, Has.Count.EqualTo(99), "101 headers less the 2 gpg-pubkey entries");
            Assert.That(result.Vulnerabilities.Select(v => (v.Package.Name, v.VulnerabilityId, v.AdvisoryEcosystem, v.MatchedVersion, v.FixedInVersion)),
                Is.EquivalentTo(new[]
                {
                    ("glibc", "TEST-RHSA-2024:4546", "Red Hat:enterprise_linux:8::baseos", "2.28-42.el8_0.1", (string?)GlibcFix),
                    ("curl", "TEST-RHSA-2024:4546", "Red Hat:enterprise_linux:8::appstream", "7.61.1-8.el8", CurlFix),
                    ("curl", "REDHAT-CVE-2023-38545", "Red Hat:enterprise_linux:8", "7.61.1-8.el8", null),
                }));
            Assert.That(result.Warnings, Is.Empty);
        });
    }

    [Test]
    public async Task A_content_manifest_limits_packages_to_its_streams()
    {
        var image = UbiMinimal().Layer(root => root.WriteFile("root/buildinfo/content_manifests/ubi8-minimal-container-8.0-213.json",
            Manifest("rhel-8-for-x86_64-baseos-rpms")));

        var result = await ScanAsync("ubi-minimal-manifest", image);

        Assert.Multiple(() =>
        {
            Assert.That(result.Packages.Select(p => p.ContentSets), Is.All.EqualTo(new[] { "rhel-8-for-x86_64-baseos-rpms" }),
                "the base layer's packages take the manifest of the layer above it");
            Assert.That(result.Vulnerabilities.Select(v => (v.Package.Name, v.VulnerabilityId)), Is.EquivalentTo(new[]
            {
                ("glibc", "TEST-RHSA-2024:4546"), ("curl", "REDHAT-CVE-2023-38545"),
            }));
        });
    }

    [Test]
    public async Task A_basic_scan_with_no_finding_is_supported_not_unsupported()
    {
        using var empty = new Support.TemporaryAdvisoryStore();
        var digest = (await TestImages.BuildAndPushAsync(UbiMinimal(), _registry, "test/ubi-minimal-empty", "v1")).Digest;
        var result = await new ImageScanner(_services.GetRequiredService<ImageReader>(), empty.Store, EcosystemCatalog.All())
            .ScanAsync(Registry, "test/ubi-minimal-empty", digest, includeLanguagePackages: false, CancellationToken.None);
        Assert.That((result.Packages.Count, result.Vulnerabilities.Count), Is.EqualTo((99, 0)));
    }

    /// <summary>The fixed versions these tests rely on, against the installed ones, ordered as rpm's labelCompare orders them.</summary>
    [TestCase("2.28-42.el8_0.1", GlibcFix, -1)]
    [TestCase("7.61.1-8.el8", LibcurlFix, 0)]
    [TestCase("7.61.1-8.el8", CurlFix, -1)]
    [TestCase("2.13.3-2.el8", "0:2.13.3-3.el8_6.1", -1)]
    [TestCase("5.4.1-1.module+el8.4.0+9822+20bf1249", "0:5.4.1-1.module+el8.5.0+10613+59a13ec4", -1)]
    [TestCase("5.4.1-1.module+el8.5.0+10613+59a13ec4", "0:5.4.1-1.module+el8.5.0+10613+59a13ec4", 0)]
    [TestCase("0:7.76.1-23.el9_2.4", "0:7.76.1-26.el9_3.2", -1)]
    public void Versions_order_as_rpm_labelCompare(string installed, string fix, int expected)
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");
        var rpm = RpmOracle.Compare([(ToEvr(installed), ToEvr(fix))]).Single();
        Assert.Multiple(() =>
        {
            Assert.That(rpm, Is.EqualTo(expected), "labelCompare");
            Assert.That(Math.Sign(RedHatVersionComparer.Instance.Compare(installed, fix)), Is.EqualTo(rpm), "ours");
        });
    }

    private static Evr ToEvr(string evr)
    {
        var colon = evr.IndexOf(':');
        var epoch = colon > 0 ? evr[..colon] : null;
        var rest = colon > 0 ? evr[(colon + 1)..] : evr;
        var dash = rest.LastIndexOf('-');
        return new Evr(epoch, rest[..dash], rest[(dash + 1)..]);
    }
}
