using ImageScanning.ScanEngine.Ecosystems.Python;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Python;

[TestFixture]
public sealed class PythonPackageFinderTests
{
    private static readonly PythonPackageFinder Finder = new();
    private const string SitePackages = "usr/local/lib/python3.10/site-packages";

    /// <summary>The corpus's installed METADATA files, keyed by image path (relative to the fixture root).</summary>
    private static Dictionary<string, byte[]> CorpusFiles(string fixture)
    {
        var root = Corpus.PathOf("inventory", "python", fixture);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes);
    }

    private static byte[] Metadata(string name, string version) =>
        System.Text.Encoding.UTF8.GetBytes($"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-this\n");

    [Test]
    public void Wanted_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Name, Is.EqualTo("python-dist"));
            Assert.That(Finder.Wants($"{SitePackages}/Flask-2.0.0.dist-info/METADATA"), Is.True);
            Assert.That(Finder.Wants("usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO"), Is.True);
            Assert.That(Finder.Wants("usr/lib/python3/dist-packages/six-1.16.0.egg-info"), Is.True);
            Assert.That(Finder.Wants("opt/venv/lib/python3.12/site-packages/pip-24.0.dist-info/METADATA"), Is.True);
            Assert.That(Finder.Wants($"{SitePackages}/Flask-2.0.0.dist-info/RECORD"), Is.False);
            Assert.That(Finder.Wants($"{SitePackages}/flask/METADATA"), Is.False);
            Assert.That(Finder.Wants($"{SitePackages}/.dist-info/METADATA"), Is.False);
            Assert.That(Finder.Wants("src/project/project.egg-info/PKG-INFO"), Is.False); // a source tree, not installed
            Assert.That(Finder.Wants("usr/lib/python3/my-site-packages/x-1.dist-info/METADATA"), Is.False);
            Assert.That(Finder.Wants("site-packages/x-1.dist-info/METADATA"), Is.True);
            Assert.That(Finder.Wants($"{SitePackages}/pkg/sub.dist-info/METADATA"), Is.False); // not directly in site-packages
            Assert.That(Finder.Wants("etc/os-release"), Is.False);
        });
    }

    [Test]
    public void Finds_the_corpus_distributions()
    {
        var files = CorpusFiles("trivy-python-dir").Concat(CorpusFiles("trivy-packaging")).ToDictionary();
        var packages = Finder.Find(new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = files }]), null).ToList();

        Assert.That(packages.Select(p => (p.Name, p.Version)), Is.EquivalentTo(new[]
        {
            ("Flask", "2.0.0"), ("click", "8.0.0"), ("annotated-types", "0.7.0"), ("typing_extensions", "4.4.0"), ("setuptools", "51.3.3"),
        }));
        Assert.That(packages.Single(p => p.Name == "Flask"), Is.EqualTo(new Package
        {
            Name = "Flask", Version = "2.0.0", Type = "pypi",
            FilePath = $"{SitePackages}/Flask-2.0.0.dist-info/METADATA", LayerDigest = "sha256:l0",
        }));
    }

    [Test]
    public void Upgrades_and_removals_across_two_layers()
    {
        var files = CorpusFiles("trivy-python-dir");
        var lower = new LayerFiles { Digest = "sha256:base", Files = files };
        var upper = new LayerFiles
        {
            Digest = "sha256:app",
            Files = new Dictionary<string, byte[]>
            {
                [$"{SitePackages}/click-8.1.7.dist-info/METADATA"] = Metadata("click", "8.1.7"),
                ["usr/lib/python3/dist-packages/six-1.16.0.egg-info"] = Metadata("six", "1.16.0"),
                ["usr/lib/python3/dist-packages/broken.egg-info/PKG-INFO"] = "Metadata-Version: 1.0\nSummary: no name\n"u8.ToArray(),
            },
            // pip uninstall of the old click removes its dist-info; annotated_types' directory is removed too.
            Whiteouts = [$"{SitePackages}/click-8.0.0.dist-info", $"{SitePackages}/annotated_types-0.7.0.dist-info/METADATA"],
        };

        var packages = Finder.Find(new ImageFiles([lower, upper]), null).ToList();

        Assert.That(packages.Select(p => (p.Name, p.Version, p.LayerDigest)), Is.EquivalentTo(new[]
        {
            ("Flask", "2.0.0", "sha256:base"),
            ("click", "8.1.7", "sha256:app"),
            ("six", "1.16.0", "sha256:app"),
        }));
        Assert.That(packages.Single(p => p.Name == "six").FilePath, Is.EqualTo("usr/lib/python3/dist-packages/six-1.16.0.egg-info"));
    }

    [Test]
    public void Metadata_parser_reads_only_the_header_block()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PythonMetadataParser.Parse(Metadata("A", "1")), Is.EqualTo(new PythonDistribution("A", "1")));
            Assert.That(PythonMetadataParser.Parse("Name: x\r\nSummary: s\r\n  folded: line\r\nVersion:  2.0 \r\n"u8.ToArray()),
                Is.EqualTo(new PythonDistribution("x", "2.0")));
            Assert.That(PythonMetadataParser.Parse("Name: x\n\nVersion: 1\n"u8.ToArray()), Is.Null); // Version only in the body
            Assert.That(PythonMetadataParser.Parse([]), Is.Null);
            Assert.That(PythonMetadataParser.Parse([0xff, 0xfe, 0x00, 0x0a]), Is.Null);
        });
    }
}
