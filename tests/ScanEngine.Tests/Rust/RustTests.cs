using System.Text;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Rust;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Rust;

[TestFixture]
public sealed class RustTests
{
    private const string CratesIo = "registry+https://github.com/rust-lang/crates.io-index";
    private static readonly RustEcosystem Ecosystem = new();
    private static readonly CargoLockFinder Finder = new();
    private static byte[] Syft => File.ReadAllBytes(Corpus.PathOf("inventory", "cargo", "syft", "app", "Cargo.lock"));
    private static byte[] TrivyCiTest => File.ReadAllBytes(Corpus.PathOf("inventory", "cargo", "trivy-ci-test", "app", "Cargo.lock"));

    [TestCase("Cargo.lock", true)]
    [TestCase("app/Cargo.lock", true)]
    [TestCase("usr/src/app/Cargo.lock", true)]
    [TestCase("app/MyCargo.lock", false)]
    [TestCase("app/Cargo.lock.orig", false)]
    [TestCase("app/cargo.lock", false)]
    [TestCase("app/Cargo.toml", false)]
    public void Wanted_paths(string path, bool wanted) => Assert.That(Finder.Wants(path), Is.EqualTo(wanted));

    [Test]
    public void Real_v3_lock_file()
    {
        var crates = CargoLockParser.Parse(Syft);
        Assert.That(crates.Select(c => (c.Name, c.Version)), Is.EqualTo(new[]
        {
            ("ansi_term", "0.12.1"), ("errno", "0.3.9"), ("matches", "0.1.8"), ("memchr", "2.3.3"), ("natord", "1.0.9"), ("nom", "4.2.3"),
            ("schannel", "0.1.26"), ("unicode-bidi", "0.3.4"), ("version_check", "0.1.5"), ("winapi", "0.3.9"),
            ("winapi-i686-pc-windows-gnu", "0.4.0"), ("winapi-x86_64-pc-windows-gnu", "0.4.0"), ("windows-sys", "0.52.0"), ("windows-sys", "0.59.0"),
        }));
        Assert.That(crates.All(c => c is { Source: CratesIo, IsFromCratesIo: true }), Is.True);
    }

    /// <summary>The v1 lock file of aquasecurity/trivy-ci-test: 74 packages, the root crate without a source, a [metadata] table.</summary>
    [Test]
    public void Real_v1_lock_file_with_metadata_and_a_root_crate()
    {
        var crates = CargoLockParser.Parse(TrivyCiTest);
        Assert.Multiple(() =>
        {
            Assert.That(crates, Has.Count.EqualTo(74));
            Assert.That(crates.Count(c => c.IsFromCratesIo), Is.EqualTo(73));
            Assert.That(crates.Single(c => !c.IsFromCratesIo), Is.EqualTo(new CargoLockPackage("normal", "0.1.0", null)));
            Assert.That(crates[0], Is.EqualTo(new CargoLockPackage("ammonia", "1.9.0", CratesIo)));
            Assert.That(crates[^1], Is.EqualTo(new CargoLockPackage("winapi-x86_64-pc-windows-gnu", "0.4.0", CratesIo)));
            Assert.That(crates.Where(c => c.Name == "winapi").Select(c => c.Version), Is.EqualTo(new[] { "0.2.8", "0.3.7" }));
            Assert.That(crates, Does.Contain(new CargoLockPackage("openssl", "0.8.3", CratesIo)));
            // Nothing from the [metadata] checksums table becomes a package.
            Assert.That(crates.Any(c => c.Name.StartsWith("checksum", StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public void Toml_details_are_handled()
    {
        const string lockFile = """
            # comment
            version = 4

            [[package]]
            name = "app"   # the workspace root: no source
            version = "0.1.0"
            dependencies = [
             "regex",
             "weird ] in a string",
            ]

            [[ package ]]
            'name' = 'literal'
            "version" = "1.0.0-beta.1+build"
            source = "git+https://github.com/a/b?rev=1#abc"
            dependencies = ["x", "y"]

            [[package]]
            name = "esc\u0061ped\"q"
            version = "2.0.0"
            source = "sparse+https://index.crates.io/"

            [[package]]
            name = "no-version"

            [[patch.unused]]
            name = "unused"
            version = "9.9.9"
            """;
        Assert.That(CargoLockParser.Parse(Encoding.UTF8.GetBytes(lockFile.Replace("\n", "\r\n"))), Is.EqualTo(new[]
        {
            new CargoLockPackage("app", "0.1.0", null),
            new CargoLockPackage("literal", "1.0.0-beta.1+build", "git+https://github.com/a/b?rev=1#abc"),
            new CargoLockPackage("escaped\"q", "2.0.0", "sparse+https://index.crates.io/"),
        }));
        Assert.That(new CargoLockPackage("x", "1", "sparse+https://index.crates.io/").IsFromCratesIo, Is.True);
    }

    [TestCase("")]
    [TestCase("[[package]]\nname = \"unterminated\nversion = \"1\"")]
    [TestCase("\u0000\u0001 binary [[[[")]
    [TestCase("[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\n \"never closed\",\n")]
    public void Odd_input_never_throws(string content) => Assert.That(() => CargoLockParser.Parse(Encoding.UTF8.GetBytes(content)), Throws.Nothing);

    [Test]
    public void Finder_reports_every_crate_from_the_visible_lock_files()
    {
        var layers = new[]
        {
            new LayerFiles { Digest = "sha256:one", Files = new Dictionary<string, byte[]> { ["src/ci/Cargo.lock"] = TrivyCiTest, ["src/app/Cargo.lock"] = TrivyCiTest } },
            new LayerFiles { Digest = "sha256:two", Files = new Dictionary<string, byte[]> { ["src/app/Cargo.lock"] = Syft } },
            new LayerFiles { Digest = "sha256:three", Whiteouts = ["src/ci"] },
        };
        var twoLayers = Finder.Find(new ImageFiles(layers[..2]), null).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(twoLayers, Has.Count.EqualTo(14 + 74));
            Assert.That(twoLayers.Where(p => p.FilePath == "src/app/Cargo.lock").Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:two" }));
            Assert.That(twoLayers.Where(p => p.FilePath == "src/ci/Cargo.lock").Select(p => p.LayerDigest).Distinct(), Is.EqualTo(new[] { "sha256:one" }));
            Assert.That(twoLayers.First(), Is.EqualTo(new Package
            {
                Name = "ansi_term", Version = "0.12.1", Type = "cargo", FilePath = "src/app/Cargo.lock", LayerDigest = "sha256:two",
            }));
        });
        Assert.That(Finder.Find(new ImageFiles(layers), null).Count(), Is.EqualTo(14));
    }

    [Test]
    public void Shape_and_keys()
    {
        var package = new Package { Name = "regex", Version = "1.5.4", Type = "cargo", FilePath = "Cargo.lock", LayerDigest = "sha256:l" };
        Assert.Multiple(() =>
        {
            Assert.That((Ecosystem.Name, Ecosystem.IsOperatingSystem), Is.EqualTo(("rust", false)));
            Assert.That(Ecosystem.Finders.Select(f => f.GetType()), Is.EqualTo(new[] { typeof(CargoLockFinder), typeof(AuditableBinaryFinder) }));
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(SemVerComparer.Instance));
            Assert.That(Ecosystem.AdvisoryKeyFor(package, null), Is.EqualTo(new AdvisoryKey("crates.io", "regex", "1.5.4")));
            Assert.That(Ecosystem.AdvisoryKeyFor(package with { Type = "npm" }, null), Is.Null);
        });
    }

    /// <summary>The real GHSA record for the regex crate (fixed in 1.5.5) against crates from a Cargo.lock.</summary>
    [Test]
    public async Task Regex_matches_the_real_GHSA_record()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rust-ecosystem-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
            var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "ghsa", "GHSA-m5pq-gvj9-9vr8.json"));
            await store.UpsertAsync(OsvParser.Parse(raw), raw);
            var lockFile = $"""
                version = 3

                [[package]]
                name = "regex"
                version = "1.5.4"
                source = "{CratesIo}"

                [[package]]
                name = "regex"
                version = "1.5.5"
                source = "{CratesIo}"

                [[package]]
                name = "regex-syntax"
                version = "0.6.25"
                source = "{CratesIo}"

                [[package]]
                name = "regex"
                version = "0.1.80"
                source = "{CratesIo}"
                """;
            var files = new ImageFiles([new LayerFiles { Digest = "sha256:app", Files = new Dictionary<string, byte[]> { ["app/Cargo.lock"] = Encoding.UTF8.GetBytes(lockFile), ["ci/Cargo.lock"] = TrivyCiTest } }]);
            var packages = Ecosystem.Finders.SelectMany(f => f.Find(files, null)).ToList();
            Assert.That(packages, Has.Count.EqualTo(4 + 74));
            var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);
            Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion, m.AdvisoryEcosystem)), Is.EqualTo(new[]
            {
                ("regex", "1.5.4", "GHSA-m5pq-gvj9-9vr8", "1.5.5", "crates.io"),
                ("regex", "0.1.80", "GHSA-m5pq-gvj9-9vr8", "1.5.5", "crates.io"),
            }));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
