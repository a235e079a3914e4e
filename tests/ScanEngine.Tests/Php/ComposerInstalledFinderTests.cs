using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Php;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Php;

[TestFixture]
public sealed class ComposerInstalledFinderTests
{
    private static readonly ComposerInstalledFinder Finder = new();
    private const string Installed = "app/vendor/composer/installed.json";

    internal static byte[] CorpusInstalled(string fixture) =>
        File.ReadAllBytes(Corpus.PathOf("inventory", "php", fixture, "app", "vendor", "composer", "installed.json"));

    [Test]
    public void Wanted_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Finder.Wants(Installed), Is.True);
            Assert.That(Finder.Wants("vendor/composer/installed.json"), Is.True);
            Assert.That(Finder.Wants("var/www/html/vendor/composer/installed.json"), Is.True);
            Assert.That(Finder.Wants("app/vendor/composer/installed.php"), Is.False);
            Assert.That(Finder.Wants("app/myvendor/composer/installed.json"), Is.False);
            Assert.That(Finder.Wants("app/composer.lock"), Is.False);
        });
    }

    [TestCase("syft-composer1")]
    [TestCase("syft-composer2")]
    public void Reads_both_installed_json_layouts(string fixture)
    {
        var image = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = new Dictionary<string, byte[]> { [Installed] = CorpusInstalled(fixture) } }]);
        var packages = Finder.Find(image, null).ToList();
        Assert.That(packages, Is.EqualTo(new[]
        {
            new Package { Name = "asm89/stack-cors", Version = "1.3.0", Type = "composer", FilePath = Installed, LayerDigest = "sha256:l0" },
            new Package { Name = "behat/mink", Version = "v1.8.1", Type = "composer", FilePath = Installed, LayerDigest = "sha256:l0" },
        }));
    }

    [Test]
    public void Two_projects_over_two_layers_with_a_removed_project()
    {
        var lower = new LayerFiles
        {
            Digest = "sha256:base",
            Files = new Dictionary<string, byte[]>
            {
                [Installed] = CorpusInstalled("syft-composer1"),
                ["srv/old/vendor/composer/installed.json"] = CorpusInstalled("syft-composer2"),
            },
        };
        var upper = new LayerFiles
        {
            Digest = "sha256:upgrade",
            Files = new Dictionary<string, byte[]>
            {
                [Installed] = Encoding.UTF8.GetBytes("""{"packages":[{"name":"GuzzleHttp/Guzzle","version":"7.4.2"},{"name":"no/version"}],"dev":true}"""),
                ["srv/broken/vendor/composer/installed.json"] = "{\"packages\": [ {\"name\": \"trunc"u8.ToArray(),
            },
            Whiteouts = ["srv/old"],
        };

        var packages = Finder.Find(new ImageFiles([lower, upper]), null).ToList();

        Assert.That(packages.Select(p => (p.Name, p.Version, p.FilePath, p.LayerDigest)), Is.EqualTo(new[]
        {
            ("guzzlehttp/guzzle", "7.4.2", Installed, "sha256:upgrade"),
        }));
    }

    [TestCase("[]")]
    [TestCase("{}")]
    [TestCase("\"packages\"")]
    [TestCase("{\"packages\": {\"a/b\": \"1.0\"}}")]
    [TestCase("[1, null, {\"name\": 5, \"version\": \"1\"}, {\"name\": \" \", \"version\": \"1\"}]")]
    [TestCase("not json")]
    public void Odd_files_give_no_packages(string json) =>
        Assert.That(ComposerInstalledParser.Parse(Encoding.UTF8.GetBytes(json)), Is.Empty);
}
