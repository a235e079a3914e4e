using System.IO.Compression;
using System.Text;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Ecosystems.Rust;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using static ImageScanning.ScanEngine.Tests.Images.LayerReaderTests;

namespace ImageScanning.ScanEngine.Tests.Rust;

/// <summary>
/// cargo-auditable binaries. No Debian bookworm package is built with cargo-auditable and there is no Rust toolchain
/// offline, so the binary is a real ELF executable (/usr/bin/true) given a ".dep-v0" section by binutils' objcopy,
/// holding zlib-compressed JSON in cargo-auditable's format, which is exactly what cargo-auditable's linker step adds.
/// </summary>
[TestFixture]
public sealed class AuditableBinaryTests
{
    private const string Layer = "sha256:4444444444444444444444444444444444444444444444444444444444444444";
    private const string DependencyTree = """
        {"format":1,"packages":[
          {"name":"hello-app","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},
          {"name":"regex","version":"1.5.4","source":"crates.io","dependencies":[3]},
          {"name":"cc","version":"1.0.73","source":"crates.io","kind":"build"},
          {"name":"regex-syntax","version":"0.6.25","source":"crates.io","kind":"runtime"},
          {"name":"","version":"1.0.0","source":"crates.io"}
        ]}
        """;

    private string directory = null!;
    private byte[] auditable = null!;

    [OneTimeSetUp]
    public async Task BuildBinary()
    {
        directory = Path.Combine(Path.GetTempPath(), "auditable-binary-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var section = Path.Combine(directory, "dep-v0.bin");
        await File.WriteAllBytesAsync(section, Zlib(Encoding.UTF8.GetBytes(DependencyTree)));
        var binary = Path.Combine(directory, "hello-app");
        await ProcessRunner.RunAsync("objcopy", ["--add-section", $".dep-v0={section}", "/usr/bin/true", binary]);
        auditable = await File.ReadAllBytesAsync(binary);
    }

    [OneTimeTearDown]
    public void RemoveBinary()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Test]
    public void The_finder_reports_runtime_crates_and_the_root_but_not_build_only_ones()
    {
        var files = new ImageFiles([new LayerFiles
        {
            Digest = Layer,
            Files = new Dictionary<string, byte[]>
            {
                ["usr/local/bin/hello-app"] = auditable,
                ["usr/bin/true"] = File.ReadAllBytes("/usr/bin/true"), // the same ELF without the section
            },
        }]);

        var packages = new AuditableBinaryFinder().Find(files, null).ToList();

        Assert.That(packages.Select(p => (p.Name, p.Version)), Is.EqualTo(new[] { ("hello-app", "0.1.0"), ("regex", "1.5.4"), ("regex-syntax", "0.6.25") }));
        Assert.That(packages, Has.All.Matches<Package>(p => p.Type == "cargo" && p.FilePath == "usr/local/bin/hello-app" && p.LayerDigest == Layer));
    }

    [Test]
    public void The_section_is_read_from_the_elf_file_as_written()
    {
        var crates = AuditableDependencyInfo.TryRead(auditable);
        Assert.That(crates, Is.EqualTo(new[]
        {
            new AuditableCrate("hello-app", "0.1.0", "local", IsBuildOnly: false, IsRoot: true),
            new AuditableCrate("regex", "1.5.4", "crates.io", false, false),
            new AuditableCrate("cc", "1.0.73", "crates.io", true, false),
            new AuditableCrate("regex-syntax", "0.6.25", "crates.io", false, false),
        }));
        Assert.That(AuditableDependencyInfo.TryRead(File.ReadAllBytes("/usr/bin/true")), Is.Null);
    }

    [Test]
    public async Task The_layer_reader_keeps_the_auditable_binary_by_content_and_drops_other_executables()
    {
        var layer = Tar(t =>
        {
            t.File("srv/app/hello-app", auditable);
            t.File("usr/bin/true", File.ReadAllBytes("/usr/bin/true"));
        });

        var files = await new LayerReader().ReadAsync(new MemoryStream(layer), MediaTypes.OciLayerTar, Layer, _ => false, LayerLimits.Default,
            CancellationToken.None, ContentSniffers.Of([new AuditableBinaryFinder(), new GoBinaryFinder()]));

        Assert.That(files.Files.Keys, Is.EquivalentTo(new[] { "srv/app/hello-app" }));
    }

    [Test]
    public async Task A_crate_in_the_binary_matches_the_real_GHSA_record()
    {
        using var store = new SqliteAdvisoryStore(Path.Combine(directory, "advisories.db"));
        var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "ghsa", "GHSA-m5pq-gvj9-9vr8.json"));
        await store.UpsertAsync(OsvParser.Parse(raw), raw);
        var files = new ImageFiles([new LayerFiles { Digest = Layer, Files = new Dictionary<string, byte[]> { ["app/hello-app"] = auditable } }]);
        var packages = new AuditableBinaryFinder().Find(files, null).ToList();

        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, null, [new RustEcosystem()]);

        Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion, m.AdvisoryEcosystem, m.Package.FilePath)),
            Is.EqualTo(new[] { ("regex", "1.5.4", "GHSA-m5pq-gvj9-9vr8", (string?)"1.5.5", "crates.io", "app/hello-app") }));
    }

    [Test]
    public void Malformed_sections_read_as_null()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AuditableDependencyInfo.TryParse(Encoding.UTF8.GetBytes(DependencyTree)), Is.Null, "not zlib");
            Assert.That(AuditableDependencyInfo.TryParse(Zlib(Encoding.UTF8.GetBytes(DependencyTree))[..20]), Is.Null, "truncated");
            Assert.That(AuditableDependencyInfo.TryParse(Zlib("{\"crates\":[]}"u8.ToArray())), Is.Null, "no packages");
            Assert.That(AuditableDependencyInfo.TryParse(Zlib("[1,2"u8.ToArray())), Is.Null, "not JSON");
            Assert.That(AuditableDependencyInfo.TryParse(Zlib(new byte[9 * 1024 * 1024])), Is.Null, "expands past the bound");
            Assert.That(AuditableDependencyInfo.TryParse(Zlib("{\"packages\":[]}"u8.ToArray())), Is.Empty);
        });
    }

    private static byte[] Zlib(byte[] data)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(data);
        return output.ToArray();
    }
}
