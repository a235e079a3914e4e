using System.Text;
using ImageScanning.ScanEngine.Ecosystems.Npm;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Npm;

[TestFixture]
public sealed class NpmLockFileParserTests
{
    private static IReadOnlyList<NpmLockEntry> ParseCorpus(params string[] parts) =>
        NpmLockFileParser.Parse(File.ReadAllBytes(Corpus.PathOf(["inventory", "npm", .. parts])));

    /// <summary>The real 330 KB lockfileVersion 1 file shipped inside collapse-white-space 2.0.0.</summary>
    [Test]
    public void Real_lockfile_v1_tree()
    {
        var entries = ParseCorpus("syft-npm-lock", "app", "node_modules", "collapse-white-space", "package-lock.json");
        Assert.Multiple(() =>
        {
            // 908 entries in the nested tree, 790 distinct name@version; every one is a dev dependency.
            Assert.That(entries, Has.Count.EqualTo(790));
            Assert.That(entries.All(e => e.Dev), Is.True);
            Assert.That(entries.Where(e => e.Name == "semver").Select(e => e.Version), Is.EquivalentTo(new[] { "7.3.5", "5.7.1", "6.3.0" }));
            Assert.That(entries.Where(e => e.Name == "debug").Select(e => e.Version), Is.EquivalentTo(new[] { "4.3.2", "3.2.7", "2.6.9" }));
            Assert.That(entries, Does.Contain(new NpmLockEntry("@babel/parser", "7.15.3", true)));
            Assert.That(entries, Does.Contain(new NpmLockEntry("minimist", "1.2.5", true)));
            Assert.That(entries, Does.Contain(new NpmLockEntry("json5", "2.2.0", true)));
            Assert.That(entries[0], Is.EqualTo(new NpmLockEntry("@babel/code-frame", "7.14.5", true)));
        });
    }

    [Test]
    public void Small_lockfile_v1_with_nested_dependencies_and_a_dev_entry()
    {
        var entries = ParseCorpus("trivy-happy", "app", "package-lock.json");
        Assert.That(entries, Is.EqualTo(new[]
        {
            new NpmLockEntry("@babel/parser", "7.23.6", false), new NpmLockEntry("ansi-colors", "3.2.3", true),
            new NpmLockEntry("array-flatten", "1.1.1", false), new NpmLockEntry("body-parser", "1.18.3", false),
            new NpmLockEntry("debug", "2.6.9", false), new NpmLockEntry("ms", "2.0.0", false),
            new NpmLockEntry("express", "4.16.4", false), new NpmLockEntry("ms", "2.1.1", false),
        }));
    }

    /// <summary>The lockfileVersion 3 layout npm 7+ writes: "packages" keyed by install path.</summary>
    [Test]
    public void Lockfile_v3_packages_map()
    {
        const string lockfile = """
            {
              "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
              "packages": {
                "": { "name": "app", "version": "1.0.0", "workspaces": ["packages/*"], "dependencies": { "express": "^4.18.2" } },
                "node_modules/express": { "version": "4.18.2", "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz" },
                "node_modules/express/node_modules/debug": { "version": "2.6.9" },
                "node_modules/@types/node": { "version": "20.10.5", "dev": true },
                "node_modules/string-width-cjs": { "name": "string-width", "version": "4.2.3" },
                "node_modules/my-lib": { "resolved": "packages/my-lib", "link": true },
                "packages/my-lib": { "name": "my-lib", "version": "0.0.1" },
                "node_modules/local": { "version": "file:../local" },
                "node_modules/from-git": { "version": "git+ssh://git@github.com/a/b.git#abc" },
                "node_modules/again/node_modules/debug": { "version": "2.6.9" },
                "node_modules/no-version": { "resolved": "https://example.invalid/x.tgz" }
              },
              "dependencies": { "ignored": { "version": "9.9.9" } }
            }
            """;
        var entries = NpmLockFileParser.Parse(Encoding.UTF8.GetBytes(lockfile));
        Assert.That(entries, Is.EqualTo(new[]
        {
            new NpmLockEntry("express", "4.18.2", false), new NpmLockEntry("debug", "2.6.9", false),
            new NpmLockEntry("@types/node", "20.10.5", true), new NpmLockEntry("string-width", "4.2.3", false),
        }));
    }

    [Test]
    public void Lockfile_v1_aliases_and_non_registry_versions()
    {
        const string lockfile = """
            { "lockfileVersion": 1, "dependencies": {
                "string-width-cjs": { "version": "npm:string-width@4.2.3" },
                "scoped-alias": { "version": "npm:@scope/real@1.0.0", "dev": true },
                "tarball": { "version": "https://example.invalid/t.tgz" },
                "linked": { "version": "file:packages/linked" },
                "weird": { "version": 3 }
            } }
            """;
        Assert.That(NpmLockFileParser.Parse(Encoding.UTF8.GetBytes(lockfile)), Is.EqualTo(new[]
        {
            new NpmLockEntry("string-width", "4.2.3", false), new NpmLockEntry("@scope/real", "1.0.0", true),
        }));
    }

    [TestCase("not json")]
    [TestCase("[1, 2]")]
    [TestCase("")]
    public void Bad_input_is_a_format_error(string content) =>
        Assert.That(() => NpmLockFileParser.Parse(Encoding.UTF8.GetBytes(content)), Throws.InstanceOf<FormatException>());

    [Test]
    public void An_empty_object_locks_nothing() => Assert.That(NpmLockFileParser.Parse("{}"u8), Is.Empty);
}
