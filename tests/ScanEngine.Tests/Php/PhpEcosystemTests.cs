using System.Text;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Php;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Advisories;

using ImageScanning.ScanEngine.Tests.Support;

namespace ImageScanning.ScanEngine.Tests.Php;

[TestFixture]
public sealed class PhpEcosystemTests : AdvisoryStoreTests
{
    private static readonly PhpEcosystem Ecosystem = new();
    [Test]
    public void Shape_and_keys()
    {
        var package = new Package { Name = "Behat/Mink", Version = "v1.8.1", Type = "composer", FilePath = "x", LayerDigest = "sha256:l0" };
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("php"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.False);
            Assert.That(Ecosystem.Finders.Single(), Is.InstanceOf<ComposerInstalledFinder>());
            Assert.That(Ecosystem.AdvisoryKeyFor(package, null), Is.EqualTo(new AdvisoryKey("Packagist", "behat/mink", "v1.8.1")));
            Assert.That(Ecosystem.AdvisoryKeyFor(package with { Type = "gem" }, null), Is.Null);
        });
    }

    /// <summary>
    /// Composer 2 projects' installed.json with guzzle at several versions, matched against the real
    /// GHSA-cwmx-hcrq-mhc3 (guzzlehttp/guzzle &lt; 6.5.6, 7.0.0 &lt;= guzzle &lt; 7.4.3).
    /// </summary>
    [Test]
    public async Task Found_guzzle_matches_the_real_Packagist_advisory()
    {
        var raw = OsvCorpus.Raw("ghsa", "GHSA-cwmx-hcrq-mhc3");
        await store.UpsertAsync(OsvParser.Parse(raw), raw);
        static byte[] Project(string version) => Encoding.UTF8.GetBytes(
            $$"""{"packages":[{"name":"guzzlehttp/guzzle","version":"{{version}}","version_normalized":"x"}],"dev":false}""");
        var files = new Dictionary<string, byte[]>
        {
            ["srv/a/vendor/composer/installed.json"] = Project("6.5.5"),
            ["srv/b/vendor/composer/installed.json"] = Project("v7.4.2"),
            ["srv/c/vendor/composer/installed.json"] = Project("7.4.3"),
            ["srv/d/vendor/composer/installed.json"] = Project("7.0.0-beta2"),
            ["srv/e/vendor/composer/installed.json"] = Project("6.5.6"),
            ["srv/f/vendor/composer/installed.json"] = ComposerInstalledFinderTests.CorpusInstalled("syft-composer2"),
        };
        var image = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = files }]);
        var packages = Ecosystem.Finders.SelectMany(f => f.Find(image, null)).ToList();

        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);

        Assert.That(packages, Has.Count.EqualTo(7));
        Assert.That(matches.Select(m => (m.Package.FilePath, m.Package.Version, m.VulnerabilityId, m.FixedInVersion)), Is.EquivalentTo(new[]
        {
            ("srv/a/vendor/composer/installed.json", "6.5.5", "GHSA-cwmx-hcrq-mhc3", "6.5.6"),
            ("srv/b/vendor/composer/installed.json", "v7.4.2", "GHSA-cwmx-hcrq-mhc3", "7.4.3"),
        }));
        Assert.That(matches[0].AdvisoryEcosystem, Is.EqualTo("Packagist"));
    }
}
