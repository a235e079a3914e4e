using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Python;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Advisories;
using ImageScanning.TestSupport;

using ImageScanning.ScanEngine.Tests.Support;

namespace ImageScanning.ScanEngine.Tests.Python;

[TestFixture]
public sealed class PythonEcosystemTests : AdvisoryStoreTests
{
    private static readonly PythonEcosystem Ecosystem = new();
    private static Package Pypi(string name, string version, string type = "pypi") => new()
    {
        Name = name, Version = version, Type = type,
        FilePath = $"usr/lib/python3/site-packages/{name}-{version}.dist-info/METADATA", LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape_and_keys()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("python"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.False);
            Assert.That(Ecosystem.Finders.Single(), Is.InstanceOf<PythonPackageFinder>());
            Assert.That(Ecosystem.AdvisoryKeyFor(Pypi("PyYAML", "5.3"), null), Is.EqualTo(new AdvisoryKey("PyPI", "pyyaml", "5.3")));
            Assert.That(Ecosystem.AdvisoryKeyFor(Pypi("typing_extensions", "4.4.0"), null), Is.EqualTo(new AdvisoryKey("PyPI", "typing-extensions", "4.4.0")));
            Assert.That(Ecosystem.AdvisoryKeyFor(Pypi("zope.interface", "5.0"), null)?.PackageName, Is.EqualTo("zope-interface"));
            Assert.That(Ecosystem.AdvisoryKeyFor(Pypi("requests", "2.0", type: "npm"), null), Is.Null);
        });
    }

    /// <summary>
    /// The corpus's Flask 2.0.0 METADATA, found by the finder, matched against the real PYSEC-2023-62 record
    /// (flask &lt; 2.2.5, 2.3.0 &lt;= flask &lt; 2.3.2) and GHSA-8q59-q68h-6hv4 (PyYAML &lt; 5.4, named "PyYAML").
    /// </summary>
    [Test]
    public async Task Found_Flask_matches_the_real_PyPI_advisory()
    {
        foreach (var path in new[] { Corpus.PathOf("osv", "osvdev-served", "PyPI", "PYSEC-2023-62.json"), OsvCorpus.PathOf("ghsa", "GHSA-8q59-q68h-6hv4") })
        {
            var raw = await File.ReadAllTextAsync(path);
            await store.UpsertAsync(OsvParser.Parse(raw), raw);
        }
        var flaskPath = "usr/local/lib/python3.10/site-packages/Flask-2.0.0.dist-info/METADATA";
        var flaskFile = Corpus.PathOf("inventory", "python", "trivy-python-dir", "usr", "local", "lib", "python3.10", "site-packages",
            "Flask-2.0.0.dist-info", "METADATA");
        var image = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = new Dictionary<string, byte[]> { [flaskPath] = File.ReadAllBytes(flaskFile) } }]);
        var packages = Ecosystem.Finders.SelectMany(f => f.Find(image, null))
            .Concat([Pypi("Flask", "2.2.5"), Pypi("flask", "2.3.1"), Pypi("pyyaml", "5.4b2"), Pypi("PyYAML", "5.4"), Pypi("py_yaml", "5.3")])
            .ToList();

        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);

        Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion)), Is.EquivalentTo(new[]
        {
            ("Flask", "2.0.0", "PYSEC-2023-62", "2.2.5"),
            ("flask", "2.3.1", "PYSEC-2023-62", "2.3.2"),
            ("pyyaml", "5.4b2", "GHSA-8q59-q68h-6hv4", "5.4"), // a 5.4 pre-release is before the fix
        }));
        Assert.That(matches.First(m => m.Package.Version == "2.0.0").Package.FilePath, Is.EqualTo(flaskPath));
    }
}
