using System.IO.Compression;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>Go build info read from real Go binaries, checked against <c>go version -m</c>.</summary>
[TestFixture]
public sealed class GoBinaryTests
{
    private const string Layer = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private static readonly GoEcosystem Ecosystem = new();
    private string directory = null!;
    private string withDependencies = null!;
    private string withoutDependencies = null!;

    /// <summary>Go programs Debian builds in GOPATH mode (build info without modules), and the Go tool itself.</summary>
    private static IEnumerable<string> DebianGoBinaries() =>
        ["/usr/bin/skopeo", "/usr/bin/umoci", "/usr/bin/docker-registry", "/usr/lib/go-1.19/bin/go"];

    [OneTimeSetUp]
    public async Task BuildPrograms()
    {
        directory = Path.Combine(Path.GetTempPath(), "go-binary-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        withDependencies = await GoToolchain.BuildModuleWithDependenciesAsync(directory);
        withoutDependencies = await GoToolchain.BuildModuleWithoutDependenciesAsync(directory);
    }

    [OneTimeTearDown]
    public void RemovePrograms()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [TestCaseSource(nameof(DebianGoBinaries))]
    public async Task Debian_binaries_read_as_go_version_m_prints_them(string binary)
    {
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(binary);
        var info = GoBuildInfo.TryRead(await File.ReadAllBytesAsync(binary));

        Assert.That(info, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(info!.GoVersion, Is.EqualTo(goVersion));
            Assert.That(info.MainPackage, Is.EqualTo(lines.Single(l => l.Kind == "path").Fields[0]));
            Assert.That(info.MainModule, Is.Null, "Debian builds in GOPATH mode: no mod line");
            Assert.That(info.Dependencies, Is.Empty);
        });
    }

    [Test]
    public async Task A_module_build_reads_as_go_version_m_prints_it_replacements_included()
    {
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(withDependencies);
        Assert.That(lines.Select(l => l.Kind), Does.Contain("=>"), "the local replacement shows in go version -m");
        var info = GoBuildInfo.TryRead(await File.ReadAllBytesAsync(withDependencies))!;

        // The reference: every dep line, superseded by the "=>" line after it (a local directory keeps the path, as "(devel)").
        var expected = new List<GoModule>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Kind != "dep") continue;
            var dep = lines[i].Fields;
            var replacement = i + 1 < lines.Count && lines[i + 1].Kind == "=>" ? lines[i + 1].Fields : null;
            expected.Add(replacement is null ? new GoModule(dep[0], dep[1], dep.Count > 2 ? dep[2] : null)
                : replacement[0].StartsWith('.') ? new GoModule(dep[0], "(devel)", null)
                : new GoModule(replacement[0], replacement[1], replacement.Count > 2 ? replacement[2] : null));
        }
        var mod = lines.Single(l => l.Kind == "mod").Fields;

        Assert.Multiple(() =>
        {
            Assert.That(info.GoVersion, Is.EqualTo(goVersion));
            Assert.That(info.MainPackage, Is.EqualTo("example.com/hello"));
            Assert.That(info.MainModule, Is.EqualTo(new GoModule(mod[0], mod[1], null)));
            Assert.That(info.MainModule!.Version, Is.EqualTo("(devel)"));
            Assert.That(info.Dependencies, Is.EqualTo(expected));
            Assert.That(info.Dependencies.Select(d => (d.Path, d.Version)), Is.EqualTo(new[]
            {
                ("example.com/greeting", "v1.2.3"),
                ("example.com/local", "(devel)"),
                ("golang.org/x/text", "v0.3.5"),
            }));
            Assert.That(info.Dependencies.Where(d => d.Version != "(devel)").Select(d => d.Sum), Has.All.StartWith("h1:"));
        });
    }

    [Test]
    public async Task A_module_without_dependencies_has_only_its_main_module()
    {
        var (goVersion, _) = await GoToolchain.VersionOfAsync(withoutDependencies);
        var info = GoBuildInfo.TryRead(await File.ReadAllBytesAsync(withoutDependencies))!;

        Assert.That(info, Is.EqualTo(info with { GoVersion = goVersion, MainPackage = "example.com/plain", MainModule = new GoModule("example.com/plain", "(devel)", null) }));
        Assert.That(info.Dependencies, Is.Empty);
    }

    [TestCase("386", false, false)]
    [TestCase("s390x", true, true)]
    public async Task Other_word_sizes_and_byte_orders_read_as_go_version_m_prints_them(string architecture, bool is64Bit, bool isBigEndian)
    {
        var binary = await GoToolchain.BuildModuleWithoutDependenciesAsync(directory, architecture);
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(binary);
        var bytes = await File.ReadAllBytesAsync(binary);

        var elf = ElfFile.TryParse(bytes)!;
        var info = GoBuildInfo.TryRead(elf);

        Assert.That((elf.Is64Bit, elf.IsBigEndian), Is.EqualTo((is64Bit, isBigEndian)));
        Assert.That(info, Is.EqualTo(new GoBuildInfo(goVersion, lines.Single(l => l.Kind == "path").Fields[0],
            new GoModule("example.com/plain", "(devel)", null), info?.Dependencies ?? [])));
        Assert.That(info!.Dependencies, Is.Empty);
    }

    /// <summary>Without section headers (as some packers leave binaries) the info is found at the start of the writable segment.</summary>
    [Test]
    public async Task Without_section_headers_the_writable_segment_is_searched()
    {
        var bytes = await File.ReadAllBytesAsync(withDependencies);
        var expected = GoBuildInfo.TryRead(bytes)!;
        bytes[0x3C] = 0; // e_shnum of a 64-bit little-endian ELF: no section headers
        bytes[0x3D] = 0;

        var elf = ElfFile.TryParse(bytes)!;

        Assert.That(elf.Sections, Is.Empty);
        Assert.That(GoBuildInfo.TryRead(elf), Is.EqualTo(expected).Using<GoBuildInfo>((a, b) =>
            a.GoVersion == b.GoVersion && a.MainModule == b.MainModule && a.Dependencies.SequenceEqual(b.Dependencies)));
    }

    [Test]
    public async Task The_finder_reports_stdlib_the_main_module_and_dependencies_per_binary()
    {
        var files = new ImageFiles([new LayerFiles
        {
            Digest = Layer,
            Files = new Dictionary<string, byte[]>
            {
                ["usr/local/bin/hello"] = await File.ReadAllBytesAsync(withDependencies),
                ["usr/bin/skopeo"] = await File.ReadAllBytesAsync("/usr/bin/skopeo"),
                ["usr/bin/objcopy"] = await File.ReadAllBytesAsync("/usr/bin/objcopy"), // an ELF file that is not Go
                ["etc/os-release"] = "ID=debian\n"u8.ToArray(),
            },
        }]);
        var toolchain = (await GoToolchain.VersionOfAsync(withDependencies)).GoVersion[2..];

        var packages = Ecosystem.Finders.Single().Find(files, null).ToList();

        Assert.That(packages.Select(p => (p.FilePath, p.Name, p.Version)), Is.EqualTo(new[]
        {
            ("usr/bin/skopeo", "stdlib", "1.19.8"),
            ("usr/local/bin/hello", "stdlib", toolchain),
            ("usr/local/bin/hello", "example.com/hello", "(devel)"),
            ("usr/local/bin/hello", "example.com/greeting", "v1.2.3"),
            ("usr/local/bin/hello", "example.com/local", "(devel)"),
            ("usr/local/bin/hello", "golang.org/x/text", "v0.3.5"),
        }));
        Assert.That(packages, Has.All.Matches<Package>(p => p.Type == "golang" && p.LayerDigest == Layer));
        Assert.That(PackageUrl.For(packages.Last(), null), Is.EqualTo("pkg:golang/golang.org/x/text@v0.3.5"));
    }

    [Test]
    public void Advisory_keys_use_go_vulndb_names_and_versions_and_skip_devel()
    {
        Package Pkg(string name, string version, string type = "golang") =>
            new() { Name = name, Version = version, Type = type, FilePath = "app", LayerDigest = Layer };
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.IsOperatingSystem, Is.False);
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(SemVerComparer.Go));
            Assert.That(Ecosystem.AdvisoryKeyFor(Pkg("golang.org/x/text", "v0.3.5"), null), Is.EqualTo(new AdvisoryKey("Go", "golang.org/x/text", "0.3.5")));
            Assert.That(Ecosystem.AdvisoryKeyFor(Pkg("stdlib", "1.19.8"), null), Is.EqualTo(new AdvisoryKey("Go", "stdlib", "1.19.8")));
            Assert.That(Ecosystem.AdvisoryKeyFor(Pkg("example.com/hello", "(devel)"), null), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(Pkg("lodash", "4.17.20", "npm"), null), Is.Null);
        });
    }

    [TestCase("go1.19.8", "1.19.8")]
    [TestCase("go1.20", "1.20")]
    [TestCase("go1.20.1 X:boringcrypto", "1.20.1")]
    [TestCase("devel go1.22-1a2b3c4 Tue Jan 2 2024", null)]
    [TestCase("", null)]
    public void Toolchain_versions(string stamped, string? expected) =>
        Assert.That(GoModuleVersions.ToolchainVersion(stamped), Is.EqualTo(expected));

    /// <summary>Real go-vulndb records: the runtime's setuid flaw (fixed in Go 1.19.10) and x/text's (fixed in 0.3.7).</summary>
    [Test]
    public async Task A_built_binary_matches_real_go_vulndb_records()
    {
        using var store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
        using (var feed = ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip")))
        {
            foreach (var id in new[] { "GO-2023-1840", "GO-2021-0113", "GO-2020-0001" })
            {
                using var reader = new StreamReader(feed.GetEntry(id + ".json")!.Open());
                var raw = await reader.ReadToEndAsync();
                await store.UpsertAsync(OsvParser.Parse(raw), raw);
            }
        }
        var files = new ImageFiles([new LayerFiles { Digest = Layer, Files = new Dictionary<string, byte[]> { ["app/hello"] = await File.ReadAllBytesAsync(withDependencies) } }]);
        var packages = Ecosystem.Finders.Single().Find(files, null).ToList();

        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [Ecosystem]);

        Assert.That(matches.Select(m => (m.VulnerabilityId, m.Package.Name, m.MatchedVersion, m.FixedInVersion, m.AdvisoryEcosystem)).OrderBy(m => m.VulnerabilityId), Is.EqualTo(new[]
        {
            ("GO-2021-0113", "golang.org/x/text", "0.3.5", (string?)"0.3.7", "Go"),
            ("GO-2023-1840", "stdlib", "1.19.8", "1.19.10", "Go"),
        }));
        Assert.That(matches.Select(m => m.Package.FilePath), Has.All.EqualTo("app/hello"));
    }
}
