using ImageScanning.ScanEngine.Ecosystems.Go;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Go;

/// <summary>
/// Binaries Debian's Go builds with -trimpath, stripped (-s -w), and with the buildinf header wiped (as binaries of
/// toolchains that lack it): all must read as <c>go version -m</c> prints the normal build.
/// </summary>
[TestFixture]
public sealed class GoBuildVariantTests
{
    private string directory = null!;

    [OneTimeSetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), "go-build-variant-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    [OneTimeTearDown]
    public void RemoveDirectory()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    private async Task<string> BuildAsync(string name, params string[] flags)
    {
        var where = Path.Combine(directory, name);
        Directory.CreateDirectory(where);
        return await GoToolchain.BuildModuleWithDependenciesAsync(where, flags);
    }

    private static readonly (string, string)[] ExpectedDependencies =
    [
        ("example.com/greeting", "v1.2.3"),
        ("example.com/local", "(devel)"),
        ("golang.org/x/text", "v0.3.5"),
    ];

    [TestCase("normal")]
    [TestCase("trimpath", "-trimpath")]
    [TestCase("stripped", "-ldflags=-s -w")]
    [TestCase("trimpath-stripped", "-trimpath", "-ldflags=-s -w")]
    public async Task Build_flags_keep_the_modules_go_version_m_prints(string name, params string[] flags)
    {
        var binary = await BuildAsync(name, flags);
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(binary);
        var info = GoBuildInfo.TryRead(await File.ReadAllBytesAsync(binary));

        Assert.That(info, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(info!.GoVersion, Is.EqualTo(goVersion));
            Assert.That(info.MainPackage, Is.EqualTo(lines.Single(l => l.Kind == "path").Fields[0]));
            Assert.That(info.MainModule?.Path, Is.EqualTo("example.com/hello"));
            Assert.That(info.Dependencies.Select(d => (d.Path, d.Version)), Is.EqualTo(ExpectedDependencies));
            Assert.That(info.Dependencies.Select(d => d.Path),
                Is.EqualTo(lines.Where(l => l.Kind == "dep").Select(l => l.Fields[0])));
        });
        if (flags.Contains("-trimpath"))
            Assert.That(lines.Where(l => l.Kind == "build").Select(l => string.Join('\t', l.Fields)), Does.Contain("-trimpath=true"));
    }

    /// <summary>Dependencies replaced by Debian's source directories read as the replaced modules at "(devel)".</summary>
    [TestCase("debian-normal")]
    [TestCase("debian-trimpath", "-trimpath")]
    [TestCase("debian-stripped", "-trimpath", "-ldflags=-s -w")]
    public async Task Debian_packaged_sources_replaced_by_directory_read_as_go_version_m_prints_them(string name, params string[] flags)
    {
        var where = Path.Combine(directory, name);
        Directory.CreateDirectory(where);
        var binary = await GoToolchain.BuildModuleOnDebianSourcesAsync(where, flags);
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(binary);
        var info = GoBuildInfo.TryRead(await File.ReadAllBytesAsync(binary))!;

        Assert.That(lines.Where(l => l.Kind == "=>").Select(l => l.Fields[0]), Is.EqualTo(new[]
        {
            "/usr/share/gocode/src/go.etcd.io/bbolt", "/usr/share/gocode/src/golang.org/x/sys",
        }));
        Assert.Multiple(() =>
        {
            Assert.That(info.GoVersion, Is.EqualTo(goVersion));
            Assert.That(info.MainModule, Is.EqualTo(new GoModule("example.com/boltapp", "(devel)", null)));
            Assert.That(info.Dependencies.Select(d => d.Path), Is.EqualTo(lines.Where(l => l.Kind == "dep").Select(l => l.Fields[0])));
            Assert.That(info.Dependencies, Is.EqualTo(new[]
            {
                new GoModule("go.etcd.io/bbolt", "(devel)", null),
                new GoModule("golang.org/x/sys", "(devel)", null),
            }));
        });
    }

    /// <summary>
    /// Without the header, the modules come from the sentinel-framed text and the version from runtime.buildVersion;
    /// Debian's <c>go version -m</c> then fails, so the normal build's reading is the reference.
    /// </summary>
    [TestCase("wiped-normal")]
    [TestCase("wiped-stripped", "-trimpath", "-ldflags=-s -w")]
    public async Task Without_the_buildinf_header_the_framed_module_info_is_read(string name, params string[] flags)
    {
        var binary = await BuildAsync(name, flags);
        var (goVersion, lines) = await GoToolchain.VersionOfAsync(binary);
        var bytes = await File.ReadAllBytesAsync(binary);
        var expected = GoBuildInfo.TryRead(bytes)!;

        byte[] magic = [0xFF, .. " Go buildinf:"u8];
        var at = bytes.AsSpan().IndexOf(magic);
        Assert.That(at, Is.GreaterThan(0), "the normal build has the header");
        bytes.AsSpan(at, 32).Clear();
        var wiped = Path.Combine(directory, name + "-wiped");
        await File.WriteAllBytesAsync(wiped, bytes);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wiped, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // go version -m wants an executable
        var oracle = await ProcessRunner.RunAsync("go", ["version", "-m", wiped], throwOnError: false);

        var elf = ElfFile.TryParse(bytes)!;
        var info = GoBuildInfo.TryRead(elf);

        Assert.That(oracle.StandardOutput + oracle.StandardError, Does.Contain("not a Go executable").Or.Contain("could not read"),
            "Debian's go version -m no longer reads it");
        Assert.That(GoBuildInfo.IsGoBinary(elf), Is.True);
        Assert.That(info, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(info!.GoVersion, Is.EqualTo(goVersion));
            Assert.That(info.MainPackage, Is.EqualTo(lines.Single(l => l.Kind == "path").Fields[0]));
            Assert.That(info.MainModule, Is.EqualTo(expected.MainModule));
            Assert.That(info.Dependencies, Is.EqualTo(expected.Dependencies));
            Assert.That(info.Dependencies.Select(d => (d.Path, d.Version)), Is.EqualTo(ExpectedDependencies));
        });
    }

    [Test]
    public async Task An_elf_file_that_is_not_go_has_no_framed_module_info()
    {
        var elf = ElfFile.TryParse(await File.ReadAllBytesAsync("/usr/bin/objcopy"))!;
        Assert.That(GoModInfoScanner.HasModInfo(elf), Is.False);
        Assert.That(GoBuildInfo.TryRead(elf), Is.Null);
    }
}
