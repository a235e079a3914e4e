using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Npm;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Npm;

[TestFixture]
public sealed class NpmFinderTests
{
    private static readonly NpmFinder Finder = new();

    /// <summary>The files of a corpus npm tree, keyed by image path "app/...".</summary>
    internal static Dictionary<string, byte[]> CorpusFiles(string tree)
    {
        var root = Path.Combine(Corpus.PathOf("inventory", "npm", tree));
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes);
    }

    private static List<Package> Find(params LayerFiles[] layers) => [.. Finder.Find(new ImageFiles(layers), null)];

    [TestCase("app/node_modules/express/package.json", true)]
    [TestCase("node_modules/express/package.json", true)]
    [TestCase("usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json", true)]
    [TestCase("app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json", true)]
    [TestCase("app/node_modules/express/lib/package.json", false)] // not a package root
    [TestCase("app/node_modules/resolve/test/fixtures/package.json", false)]
    [TestCase("app/node_modules/@scope/package.json", true)] // a package literally named "@scope"? npm forbids it, but harmless
    [TestCase("app/node_modules/@babel/parser/test/package.json", false)]
    [TestCase("app/node_modules/.bin/package.json", false)]
    [TestCase("app/node_modules/package.json", false)]
    [TestCase("app/my_node_modules/x/package.json", false)]
    [TestCase("app/package.json", false)] // the project itself, not an installed package
    [TestCase("app/node_modules/express/package.json.bak", false)]
    [TestCase("app/package-lock.json", true)]
    [TestCase("package-lock.json", true)]
    [TestCase("app/node_modules/collapse-white-space/package-lock.json", false)] // shipped inside a package
    [TestCase("app/old-package-lock.json", false)]
    [TestCase("app/node_modules/.package-lock.json", false)]
    public void Wanted_paths(string path, bool wanted) => Assert.That(Finder.Wants(path), Is.EqualTo(wanted));

    [Test]
    public void Installed_packages_of_a_real_node_modules_tree_win_over_its_lock_file()
    {
        var files = CorpusFiles("trivy-happy");
        Assert.That(files.Keys.All(Finder.Wants), Is.True);
        // Two layers: the lock file and express first, the rest later.
        var first = files.Where(f => f.Key == "app/package-lock.json" || f.Key.StartsWith("app/node_modules/express/", StringComparison.Ordinal)).ToDictionary();
        var second = files.Where(f => !first.ContainsKey(f.Key)).ToDictionary();
        var packages = Find(new LayerFiles { Digest = "sha256:one", Files = first }, new LayerFiles { Digest = "sha256:two", Files = second });

        Assert.That(packages.Select(p => (p.Name, p.Version, p.FilePath, p.LayerDigest)), Is.EqualTo(new[]
        {
            ("@babel/parser", "7.23.6", "app/node_modules/@babel/parser/package.json", "sha256:two"),
            ("debug", "2.6.9", "app/node_modules/body-parser/node_modules/debug/package.json", "sha256:two"),
            ("ms", "2.0.0", "app/node_modules/body-parser/node_modules/ms/package.json", "sha256:two"),
            ("body-parser", "1.18.3", "app/node_modules/body-parser/package.json", "sha256:two"),
            ("debug", "2.6.9", "app/node_modules/express/node_modules/debug/package.json", "sha256:one"),
            ("ms", "2.0.0", "app/node_modules/express/node_modules/ms/package.json", "sha256:one"),
            ("express", "4.16.4", "app/node_modules/express/package.json", "sha256:one"),
            ("ms", "2.1.1", "app/node_modules/ms/package.json", "sha256:two"),
        }));
        Assert.That(packages.All(p => p is { Type: "npm", SourceName: null, Architecture: null }), Is.True);
    }

    [Test]
    public void A_lock_file_without_installed_packages_is_read_and_whiteouts_remove_packages()
    {
        var files = CorpusFiles("trivy-happy");
        var lockOnly = new LayerFiles { Digest = "sha256:lock", Files = new Dictionary<string, byte[]> { ["app/package-lock.json"] = files["app/package-lock.json"] } };
        var packages = Find(lockOnly);
        Assert.That(packages.Select(p => $"{p.Name}@{p.Version}"), Is.EqualTo(new[]
        {
            "@babel/parser@7.23.6", "ansi-colors@3.2.3", "array-flatten@1.1.1", "body-parser@1.18.3", "debug@2.6.9",
            "ms@2.0.0", "express@4.16.4", "ms@2.1.1",
        }));
        Assert.That(packages.All(p => p is { FilePath: "app/package-lock.json", LayerDigest: "sha256:lock" }), Is.True);

        // node_modules installed by a later layer: the lock file is no longer read; removing them brings it back.
        var installed = new LayerFiles { Digest = "sha256:install", Files = files.Where(f => f.Key.Contains("node_modules/")).ToDictionary() };
        Assert.That(Find(lockOnly, installed), Has.Count.EqualTo(8).And.All.Matches<Package>(p => p.LayerDigest == "sha256:install"));
        var removed = Find(lockOnly, installed, new LayerFiles { Digest = "sha256:rm", Whiteouts = ["app/node_modules"] });
        Assert.That(removed.Select(p => p.FilePath).Distinct(), Is.EqualTo(new[] { "app/package-lock.json" }));
        var oneGone = Find(lockOnly, installed, new LayerFiles { Digest = "sha256:rm", Whiteouts = ["app/node_modules/express"] });
        Assert.That(oneGone.Select(p => p.Name), Is.EqualTo(new[] { "@babel/parser", "debug", "ms", "body-parser", "ms" }));
    }

    [Test]
    public void Package_json_files_without_name_or_version_or_not_json_are_skipped()
    {
        var layer = new LayerFiles
        {
            Digest = "sha256:x",
            Files = new Dictionary<string, byte[]>
            {
                ["node_modules/noversion/package.json"] = """{"name":"noversion"}"""u8.ToArray(),
                ["node_modules/noname/package.json"] = """{"version":"1.0.0"}"""u8.ToArray(),
                ["node_modules/numeric/package.json"] = """{"name":"numeric","version":1}"""u8.ToArray(),
                ["node_modules/broken/package.json"] = "{\"name\":"u8.ToArray(),
                ["node_modules/array/package.json"] = "[]"u8.ToArray(),
                ["node_modules/@scope/ok/package.json"] = """{"name":"@scope/ok","version":"0.1.0"}"""u8.ToArray(),
                ["package-lock.json"] = Encoding.UTF8.GetBytes("not json"),
            },
        };
        Assert.That(Find(layer).Select(p => (p.Name, p.Version)), Is.EqualTo(new[] { ("@scope/ok", "0.1.0") }));
    }

    [Test]
    public void Name_and_version()
    {
        Assert.That((Finder.Name, Finder.Version), Is.EqualTo(("npm", "1")));
        Assert.That(Find(), Is.Empty);
    }
}
