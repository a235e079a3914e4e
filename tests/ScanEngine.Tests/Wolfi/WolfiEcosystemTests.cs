using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Ecosystems.Wolfi;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Wolfi;

[TestFixture]
public sealed class WolfiEcosystemTests
{
    private static readonly WolfiEcosystem Ecosystem = new();
    private static readonly Distribution Wolfi = new("wolfi", "20230201", null, "Wolfi");
    private static readonly Distribution Chainguard = new("chainguard", "20230214", null, "Chainguard");

    private static Package Apk(string name, string version, string? origin = null) => new()
    {
        Name = name, Version = version, Type = "apk", SourceName = origin ?? name, SourceVersion = version,
        Architecture = "x86_64", FilePath = ApkFinder.InstalledPath, LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape_reuses_apk_and_finds_nothing_itself()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("wolfi"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.True);
            Assert.That(Ecosystem.Finders, Is.Empty); // the Alpine ecosystem's apk finder finds Wolfi's packages
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(ApkVersionComparer.Instance));
        });
    }

    [Test]
    public void Keys_use_the_Wolfi_and_Chainguard_ecosystems_and_the_origin()
    {
        var libcurl = Apk("libcurl-openssl4", "7.86.0-r0", "curl");
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.AdvisoryKeyFor(libcurl, Wolfi), Is.EqualTo(new AdvisoryKey("Wolfi", "curl", "7.86.0-r0")));
            Assert.That(Ecosystem.AdvisoryKeyFor(libcurl, Chainguard), Is.EqualTo(new AdvisoryKey("Chainguard", "curl", "7.86.0-r0")));
            Assert.That(Ecosystem.AdvisoryKeyFor(libcurl, new Distribution("alpine", "3.18.4", null, null)), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(libcurl, null), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(libcurl with { Type = "deb" }, Wolfi), Is.Null);
            // And the Alpine ecosystem leaves Wolfi packages alone.
            Assert.That(new AlpineEcosystem().AdvisoryKeyFor(libcurl, Wolfi), Is.Null);
        });
    }

    /// <summary>
    /// The corpus has no Wolfi OSV record, but it has Wolfi's and Chainguard's real secdbs (the source of their OSV
    /// records): each secfix becomes the OSV record osv.dev publishes for it (introduced 0, fixed at the secfix version),
    /// and the matcher with this ecosystem must find exactly the CVEs fixed after the installed version.
    /// </summary>
    [TestCase("wolfi-security.json", "wolfi", "Wolfi", "curl", "7.86.0-r0")]
    [TestCase("chainguard-security.json", "chainguard", "Chainguard", "grafana", "7.5.18-r0")]
    public async Task Secdb_fixes_match_installed_versions_before_them(string secdb, string distributionId, string osvEcosystem, string origin, string installed)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("native", "alpine-secdb", secdb)));
        var secfixes = doc.RootElement.GetProperty("packages").EnumerateArray()
            .Select(p => p.GetProperty("pkg"))
            .Single(p => p.GetProperty("name").GetString() == origin)
            .GetProperty("secfixes").EnumerateObject()
            .SelectMany(f => f.Value.EnumerateArray().Select(cve => (Fixed: f.Name, Cve: cve.GetString()!)))
            .ToList();
        Assert.That(secfixes, Is.Not.Empty);

        var directory = Directory.CreateTempSubdirectory("wolfi-ecosystem-tests-");
        try
        {
            using var store = new SqliteAdvisoryStore(Path.Combine(directory.FullName, "advisories.db"));
            foreach (var (fixedIn, cve) in secfixes)
            {
                var raw = new JsonObject
                {
                    ["id"] = $"TEST-{osvEcosystem}-{cve}",
                    ["modified"] = "2024-01-01T00:00:00Z",
                    ["aliases"] = new JsonArray(cve),
                    ["affected"] = new JsonArray(new JsonObject
                    {
                        ["package"] = new JsonObject { ["ecosystem"] = osvEcosystem, ["name"] = origin },
                        ["ranges"] = new JsonArray(new JsonObject
                        {
                            ["type"] = "ECOSYSTEM",
                            ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, new JsonObject { ["fixed"] = fixedIn }),
                        }),
                    }),
                }.ToJsonString();
                await store.UpsertAsync(OsvParser.Parse(raw), raw);
            }

            var distribution = new Distribution(distributionId, "20230201", null, null);
            var package = Apk(origin + "-sub", installed, origin);
            var matches = await new VulnerabilityMatcher(store).MatchAsync([package], distribution, [new AlpineEcosystem(), Ecosystem]);
            var expected = secfixes.Where(f => ApkVersionComparer.Instance.Compare(installed, f.Fixed) < 0).Select(f => f.Cve).ToList();
            Assert.That(expected, Is.Not.Empty);
            Assert.That(matches.SelectMany(m => m.Aliases), Is.EquivalentTo(expected));
            Assert.That(matches.All(m => m.AdvisoryEcosystem == osvEcosystem && m.AdvisoryPackageName == origin));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
