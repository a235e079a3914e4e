using System.Formats.Tar;
using System.IO.Compression;
using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// esbuild's released Linux binaries, fetched from npm (<c>npm pack @esbuild/linux-x64@version</c>) at test time:
/// Go 1.20 to 1.23 builds carry the buildinf header, the Go 1.26 build of 0.28 only the framed module info.
/// </summary>
[TestFixture]
public sealed class EsbuildBinaryTests
{
    private const string Layer = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    private const string XSys = "v0.0.0-20220715151400-c0bba94af5f8";
    private string directory = null!;

    [OneTimeSetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), "esbuild-binary-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [OneTimeTearDown]
    public void RemoveDirectory()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    /// <summary>The package's bin/esbuild, from the tarball npm packs into a directory of its own.</summary>
    private async Task<byte[]> FetchAsync(string version)
    {
        var where = Path.Combine(directory, version);
        Directory.CreateDirectory(where);
        await ProcessRunner.RunAsync("npm", ["pack", "--silent", $"@esbuild/linux-x64@{version}"], workingDirectory: where);
        var tarball = Directory.GetFiles(where, "*.tgz").Single();
        await using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name != "package/bin/esbuild" || entry.DataStream is null) continue;
            using var content = new MemoryStream();
            await entry.DataStream.CopyToAsync(content);
            return content.ToArray();
        }
        throw new InvalidOperationException($"no package/bin/esbuild in {tarball}");
    }

    [TestCase("0.17.19", "go1.20.4", true)]
    [TestCase("0.21.5", "go1.20.12", true)]
    [TestCase("0.25.12", "go1.23.12", true)]
    [TestCase("0.28.2", "go1.26.5", false)]
    public async Task Esbuild_reports_its_module_its_dependency_and_its_toolchain(string version, string goVersion, bool hasHeader)
    {
        var bytes = await FetchAsync(version);
        var elf = ElfFile.TryParse(bytes)!;
        var info = GoBuildInfo.TryRead(elf);

        byte[] magic = [0xFF, .. " Go buildinf:"u8];
        Assert.That(bytes.AsSpan().IndexOf(magic) >= 0, Is.EqualTo(hasHeader), "buildinf header");
        Assert.That(GoBuildInfo.IsGoBinary(elf), Is.True);
        Assert.That(info, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(info!.GoVersion, Is.EqualTo(goVersion));
            Assert.That(info.MainPackage, Is.EqualTo("github.com/evanw/esbuild/cmd/esbuild"));
            Assert.That(info.MainModule, Is.EqualTo(new GoModule("github.com/evanw/esbuild", "(devel)", null)));
            Assert.That(info.Dependencies, Is.EqualTo(new[]
            {
                new GoModule("golang.org/x/sys", XSys, "h1:0A+M6Uqn+Eje4kHMK80dtF3JCXC4ykBgQG4Fe06QRhQ="),
            }));
        });
    }

    /// <summary>Where Debian's Go 1.19 can read the binary, it is the oracle; it cannot read 0.28's.</summary>
    [TestCase("0.25.12", true)]
    [TestCase("0.28.2", false)]
    public async Task Go_version_m_agrees_where_it_can_read_the_binary(string version, bool readable)
    {
        var bytes = await FetchAsync(version);
        var path = Path.Combine(directory, version, "esbuild");
        await File.WriteAllBytesAsync(path, bytes);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // go version -m wants an executable
        var oracle = await ProcessRunner.RunAsync("go", ["version", "-m", path], throwOnError: false);
        var info = GoBuildInfo.TryRead(bytes)!;

        // It exits 0 either way; unreadable binaries get a "could not read Go build info" line.
        Assert.That(!(oracle.StandardOutput + oracle.StandardError).Contains("could not read Go build info"), Is.EqualTo(readable),
            oracle.StandardOutput + oracle.StandardError);
        if (!readable) return;
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(path);
        Assert.That(info.GoVersion, Is.EqualTo(goVersion));
        Assert.That(info.Dependencies.Select(d => (d.Path, d.Version)),
            Is.EqualTo(lines.Where(l => l.Kind == "dep").Select(l => (l.Fields[0], l.Fields[1]))));
    }

    [Test]
    public async Task The_finder_reports_the_go_1_26_build_in_an_image()
    {
        var files = new ImageFiles([new LayerFiles
        {
            Digest = Layer,
            Files = new Dictionary<string, byte[]> { ["node_modules/@esbuild/linux-x64/bin/esbuild"] = await FetchAsync("0.28.2") },
        }]);
        var finder = new GoBinaryFinder();

        var packages = finder.Find(files, null).ToList();

        Assert.That(finder.KeepsContent("x", files.Final.All.Single().Content), Is.True);
        Assert.That(packages.Select(p => (p.Name, p.Version)), Is.EqualTo(new[]
        {
            ("stdlib", "1.26.5"),
            ("github.com/evanw/esbuild", "(devel)"),
            ("golang.org/x/sys", XSys),
        }));
    }
}
