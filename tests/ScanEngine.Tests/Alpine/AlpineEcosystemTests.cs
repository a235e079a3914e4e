using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Alpine;

[TestFixture]
public sealed class AlpineEcosystemTests
{
    private static readonly AlpineEcosystem Ecosystem = new();
    private static readonly Distribution Alpine318 = new("alpine", "3.18.4", null, "Alpine Linux v3.18");
    private static readonly Distribution Alpine316 = new("alpine", "3.16.2", null, "Alpine Linux v3.16");

    private string directory = null!;
    private SqliteAdvisoryStore store = null!;

    [SetUp]
    public async Task SetUp()
    {
        directory = Path.Combine(Path.GetTempPath(), "alpine-ecosystem-tests", Guid.NewGuid().ToString("N"));
        store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
        var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "alpine", "ALPINE-CVE-2025-26519.json"));
        await store.UpsertAsync(OsvParser.Parse(raw), raw);
    }

    [TearDown]
    public void TearDown()
    {
        store.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static List<Package> FoundIn(byte[] installed, Distribution distribution)
    {
        var files = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = new Dictionary<string, byte[]> { [ApkFinder.InstalledPath] = installed } }]);
        return [.. Ecosystem.Finders.SelectMany(f => f.Find(files, distribution))];
    }

    [Test]
    public void Shape()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("alpine"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.True);
            Assert.That(Ecosystem.Finders, Has.Count.EqualTo(1));
            Assert.That(Ecosystem.Finders[0], Is.InstanceOf<ApkFinder>());
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(ApkVersionComparer.Instance));
        });
    }

    [TestCase("3.18.4", "3.18")]
    [TestCase("3.18", "3.18")]
    [TestCase("3.9.0", "3.9")]
    [TestCase("3.21_alpha20240807", null)] // edge
    [TestCase("edge", null)]
    [TestCase("3", null)]
    [TestCase("", null)]
    public void Release_from_VERSION_ID(string versionId, string? expected) =>
        Assert.That(AlpineEcosystem.MajorMinor(versionId), Is.EqualTo(expected));

    [Test]
    public void Keys_name_the_origin_package_in_Alpine_vMAJOR_MINOR()
    {
        var packages = FoundIn(ApkInstalledParserTests.InstalledBytes("alpine-3.18-scalibr"), Alpine318);
        var keys = packages.ToDictionary(p => p.Name, p => Ecosystem.AdvisoryKeyFor(p, Alpine318));
        Assert.Multiple(() =>
        {
            Assert.That(keys["libssl3"], Is.EqualTo(new AdvisoryKey("Alpine:v3.18", "openssl", "3.1.0-r4")));
            Assert.That(keys["musl-utils"], Is.EqualTo(new AdvisoryKey("Alpine:v3.18", "musl", "1.2.4-r0")));
            Assert.That(keys["ssl_client"], Is.EqualTo(new AdvisoryKey("Alpine:v3.18", "busybox", "1.36.0-r9")));
            Assert.That(keys.Values.All(k => k is { Ecosystem: "Alpine:v3.18" }));
        });
        var musl = packages.Single(p => p.Name == "musl");
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.AdvisoryKeyFor(musl, new Distribution("wolfi", "20230201", null, "Wolfi")), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(musl, Alpine318 with { VersionId = "3.21_alpha20240807" }), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(musl, null), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(musl with { Type = "deb" }, Alpine318), Is.Null);
        });
    }

    /// <summary>The real record names the origin package and "Alpine:vX.Y" exactly as the keys do.</summary>
    [Test]
    public void Key_matches_how_the_real_Alpine_record_names_the_package()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("osv", "alpine", "ALPINE-CVE-2025-26519.json")));
        var named = doc.RootElement.GetProperty("affected").EnumerateArray()
            .Select(a => (a.GetProperty("package").GetProperty("ecosystem").GetString(), a.GetProperty("package").GetProperty("name").GetString()))
            .ToList();
        var musl = FoundIn(ApkInstalledParserTests.InstalledBytes("alpine-3.18-scalibr"), Alpine318).Single(p => p.Name == "musl-utils");
        var key = Ecosystem.AdvisoryKeyFor(musl, Alpine318)!.Value;
        Assert.That(named, Does.Contain((key.Ecosystem, key.PackageName)));
    }

    [Test]
    public async Task Musl_of_both_corpus_images_is_affected_by_the_real_record_until_the_fix()
    {
        var matcher = new VulnerabilityMatcher(store);
        var on318 = await matcher.MatchAsync(FoundIn(ApkInstalledParserTests.InstalledBytes("alpine-3.18-scalibr"), Alpine318), Alpine318, [Ecosystem]);
        Assert.That(on318.Select(m => (m.Package.Name, m.VulnerabilityId, m.AdvisoryEcosystem, m.FixedInVersion, m.MatchedVersion)), Is.EqualTo(new[]
        {
            ("musl", "ALPINE-CVE-2025-26519", "Alpine:v3.18", "1.2.4-r3", "1.2.4-r0"),
            ("musl-utils", "ALPINE-CVE-2025-26519", "Alpine:v3.18", "1.2.4-r3", "1.2.4-r0"),
        }));

        var on316 = await matcher.MatchAsync(FoundIn(ApkInstalledParserTests.InstalledBytes("alpine-3.16-syft"), Alpine316), Alpine316, [Ecosystem]);
        Assert.That(on316.Select(m => (m.Package.Name, m.AdvisoryEcosystem, m.FixedInVersion)),
            Is.EquivalentTo(new[] { ("musl", "Alpine:v3.16", "1.2.3-r4"), ("musl-utils", "Alpine:v3.16", "1.2.3-r4") }));

        // Upgraded to the fixed revision: no longer affected.
        var fixedDb = Encoding.UTF8.GetString(ApkInstalledParserTests.InstalledBytes("alpine-3.18-scalibr")).Replace("V:1.2.4-r0\n", "V:1.2.4-r3\n");
        var upgraded = await matcher.MatchAsync(FoundIn(Encoding.UTF8.GetBytes(fixedDb), Alpine318), Alpine318, [Ecosystem]);
        Assert.That(upgraded, Is.Empty);
    }
}
