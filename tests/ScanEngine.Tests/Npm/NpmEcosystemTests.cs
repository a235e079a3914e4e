using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Npm;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;
using ImageScanning.TestSupport;

using ImageScanning.ScanEngine.Tests.Support;

namespace ImageScanning.ScanEngine.Tests.Npm;

[TestFixture]
public sealed class NpmEcosystemTests : AdvisoryStoreTests
{
    private static readonly NpmEcosystem Ecosystem = new();
    [Test]
    public void Shape_and_keys()
    {
        var package = new Package { Name = "@babel/parser", Version = "7.23.6", Type = "npm", FilePath = "x", LayerDigest = "sha256:l" };
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("npm"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.False);
            Assert.That(Ecosystem.Finders.Single(), Is.InstanceOf<NpmFinder>());
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(SemVerComparer.Instance));
            Assert.That(Ecosystem.AdvisoryKeyFor(package, null), Is.EqualTo(new AdvisoryKey("npm", "@babel/parser", "7.23.6")));
            Assert.That(Ecosystem.AdvisoryKeyFor(package with { Type = "deb" }, null), Is.Null);
        });
    }

    /// <summary>
    /// The real 330 KB lock file, as the lock of an application without node_modules, matched against the
    /// real GHSA records of minimist, json5 and semver.
    /// </summary>
    [Test]
    public async Task Lock_file_packages_match_real_GHSA_records()
    {
        foreach (var id in new[] { "GHSA-xvch-5gv4-984h", "GHSA-9c47-m6qq-7p4h", "GHSA-c2qf-rxjj-qqgw" })
        {
            var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "ghsa", id + ".json"));
            await store.UpsertAsync(OsvParser.Parse(raw), raw);
        }
        var lockFile = File.ReadAllBytes(Corpus.PathOf("inventory", "npm", "syft-npm-lock", "app", "node_modules", "collapse-white-space", "package-lock.json"));
        var files = new ImageFiles([new LayerFiles { Digest = "sha256:app", Files = new Dictionary<string, byte[]> { ["srv/app/package-lock.json"] = lockFile } }]);
        var packages = Ecosystem.Finders.SelectMany(f => f.Find(files, null)).ToList();
        Assert.That(packages, Has.Count.EqualTo(790));

        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);
        Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion)).OrderBy(m => m.Name).ThenBy(m => m.Version),
            Is.EqualTo(new[]
            {
                ("json5", "2.2.0", "GHSA-9c47-m6qq-7p4h", "2.2.2"),
                ("minimist", "1.2.5", "GHSA-xvch-5gv4-984h", "1.2.6"),
                ("semver", "5.7.1", "GHSA-c2qf-rxjj-qqgw", "5.7.2"),
                ("semver", "6.3.0", "GHSA-c2qf-rxjj-qqgw", "6.3.1"),
                ("semver", "7.3.5", "GHSA-c2qf-rxjj-qqgw", "7.5.2"),
            }));
        Assert.That(matches.All(m => m is { AdvisoryEcosystem: "npm", Package.FilePath: "srv/app/package-lock.json", Package.LayerDigest: "sha256:app" }), Is.True);
    }

    [Test]
    public async Task Fixed_versions_do_not_match()
    {
        var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "ghsa", "GHSA-xvch-5gv4-984h.json"));
        await store.UpsertAsync(OsvParser.Parse(raw), raw);
        Package Minimist(string version) => new() { Name = "minimist", Version = version, Type = "npm", FilePath = "node_modules/minimist/package.json", LayerDigest = "sha256:l" };
        var matches = await new VulnerabilityMatcher(store).MatchAsync(
            [Minimist("0.2.3"), Minimist("0.2.4"), Minimist("1.2.6"), Minimist("1.2.6-beta.1"), Minimist("v1.0.0")], null, [Ecosystem]);
        Assert.That(matches.Select(m => (m.Package.Version, m.FixedInVersion)), Is.EqualTo(new[] { ("0.2.3", "0.2.4"), ("1.2.6-beta.1", "1.2.6"), ("v1.0.0", "1.2.6") }));
    }
}
