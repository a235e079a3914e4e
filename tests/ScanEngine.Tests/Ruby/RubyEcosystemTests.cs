using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Ruby;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Advisories;

using ImageScanning.ScanEngine.Tests.Support;

namespace ImageScanning.ScanEngine.Tests.Ruby;

[TestFixture]
public sealed class RubyEcosystemTests : AdvisoryStoreTests
{
    private static readonly RubyEcosystem Ecosystem = new();
    [Test]
    public void Shape_and_keys()
    {
        var gem = new Package { Name = "nokogiri", Version = "1.13.3", Type = "gem", FilePath = "x", LayerDigest = "sha256:l0" };
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("ruby"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.False);
            Assert.That(Ecosystem.Finders.Single(), Is.InstanceOf<GemSpecificationFinder>());
            Assert.That(Ecosystem.AdvisoryKeyFor(gem, null), Is.EqualTo(new AdvisoryKey("RubyGems", "nokogiri", "1.13.3")));
            Assert.That(Ecosystem.AdvisoryKeyFor(gem with { Type = "pypi" }, null), Is.Null);
        });
    }

    /// <summary>
    /// Gems found from installed specifications, matched against the real GHSA records for nokogiri
    /// (GHSA-crjr-9rc5-ghw8, fixed in 1.13.4) and activerecord (GHSA-3hhc-qp5v-9p2j, four branches).
    /// </summary>
    [Test]
    public async Task Found_gems_match_real_RubyGems_advisories()
    {
        foreach (var id in new[] { "GHSA-crjr-9rc5-ghw8", "GHSA-3hhc-qp5v-9p2j" })
        {
            var raw = OsvCorpus.Raw("ghsa", id);
            await store.UpsertAsync(OsvParser.Parse(raw), raw);
        }
        const string dir = "var/lib/gems/3.1.0/specifications/";
        var files = new Dictionary<string, byte[]>();
        foreach (var (name, version, suffix) in new[]
        {
            ("nokogiri", "1.13.3", "-x86_64-linux"), ("activerecord", "7.0.3", ""), ("activerecord", "6.1.6.1", ""),
            ("activerecord", "6.0.5.rc1", ""), ("activerecord", "5.2.8.1", ""),
        })
            files[$"{dir}{name}-{version}{suffix}.gemspec"] = System.Text.Encoding.UTF8.GetBytes($"  s.name = \"{name}\".freeze\n  s.version = \"{version}\"\n");
        var image = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = files }]);
        var packages = Ecosystem.Finders.SelectMany(f => f.Find(image, null)).ToList();

        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);

        Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion)), Is.EquivalentTo(new[]
        {
            ("activerecord", "6.0.5.rc1", "GHSA-3hhc-qp5v-9p2j", "6.0.5.1"),
            ("activerecord", "7.0.3", "GHSA-3hhc-qp5v-9p2j", "7.0.3.1"),
            ("nokogiri", "1.13.3", "GHSA-crjr-9rc5-ghw8", "1.13.4"),
        }));
        Assert.That(matches.Single(m => m.Package.Name == "nokogiri").AdvisoryEcosystem, Is.EqualTo("RubyGems"));
    }
}
