using System.Diagnostics;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Debian;

[TestFixture]
public sealed class DpkgStatusParserTests
{
    internal static string StatusOf(string name) => Corpus.PathOf("inventory", "dpkg", name, "var", "lib", "dpkg", "status");

    internal static byte[] StatusBytes(string name) => File.ReadAllBytes(StatusOf(name));

    private static DpkgEntry Single(IEnumerable<DpkgEntry> entries, string name) => entries.Single(e => e.Name == name);

    [Test]
    public void Ubuntu_18_04_texlive_status_has_357_installed_packages()
    {
        var entries = DpkgStatusParser.Parse(StatusBytes("ubuntu-18.04-texlive"));
        Assert.Multiple(() =>
        {
            Assert.That(entries, Has.Count.EqualTo(357));
            Assert.That(entries.Select(e => (e.Name, e.Architecture)).Distinct().Count(), Is.EqualTo(357));
            Assert.That(entries.Count(e => e.Architecture == "all"), Is.EqualTo(68));
            Assert.That(entries.Count(e => e.Architecture == "amd64"), Is.EqualTo(289));
            // Source with its own version, and an epoch on the binary version only.
            Assert.That(Single(entries, "cpp"), Is.EqualTo(new DpkgEntry("cpp", "4:7.4.0-1ubuntu2.3", "gcc-defaults", "1.176ubuntu2.3", "amd64")));
            Assert.That(Single(entries, "bsdutils"),
                Is.EqualTo(new DpkgEntry("bsdutils", "1:2.31.1-0.4ubuntu3.6", "util-linux", "2.31.1-0.4ubuntu3.6", "amd64")));
            // Source without a version: the binary version (epoch included) is the source version.
            Assert.That(Single(entries, "libc6"), Is.EqualTo(new DpkgEntry("libc6", "2.27-3ubuntu1", "glibc", "2.27-3ubuntu1", "amd64")));
            Assert.That(Single(entries, "libxi6"), Is.EqualTo(new DpkgEntry("libxi6", "2:1.7.9-1", "libxi", "2:1.7.9-1", "amd64")));
            Assert.That(Single(entries, "imagemagick-6-common").Version, Is.EqualTo("8:6.9.7.4+dfsg-16ubuntu6.8"));
            // No Source: the package is its own source.
            Assert.That(Single(entries, "adduser"), Is.EqualTo(new DpkgEntry("adduser", "3.116ubuntu1", "adduser", "3.116ubuntu1", "all")));
        });
    }

    [Test]
    public void Ubuntu_18_04_base_status_skips_the_package_left_as_config_files()
    {
        var entries = DpkgStatusParser.Parse(StatusBytes("ubuntu-18.04-trivy-valid"));
        Assert.Multiple(() =>
        {
            // 91 paragraphs; git is "deinstall ok config-files".
            Assert.That(entries, Has.Count.EqualTo(90));
            Assert.That(entries.Any(e => e.Name == "git"), Is.False);
            Assert.That(Single(entries, "liblzma5"),
                Is.EqualTo(new DpkgEntry("liblzma5", "5.1.1alpha+20120614-2+b3", "xz-utils", "5.1.1alpha+20120614-2", "amd64")));
            Assert.That(Single(entries, "libgcc1"),
                Is.EqualTo(new DpkgEntry("libgcc1", "1:8-20180414-1ubuntu2", "gcc-8", "8-20180414-1ubuntu2", "amd64")));
        });
    }

    [Test]
    public void Debian_12_status_with_binNMU_and_epochs()
    {
        var entries = DpkgStatusParser.Parse(StatusBytes("debian-12-scalibr-valid"));
        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e.Name), Is.EqualTo(new[]
                { "accountsservice", "acl", "adduser", "admin-session", "attr", "libacl1", "util-linux-extra" }));
            Assert.That(Single(entries, "util-linux-extra"),
                Is.EqualTo(new DpkgEntry("util-linux-extra", "2.38.1-5+b1", "util-linux", "2.38.1-5", "amd64")));
            Assert.That(Single(entries, "libacl1"), Is.EqualTo(new DpkgEntry("libacl1", "2.3.1-3", "acl", "2.3.1-3", "amd64")));
            Assert.That(Single(entries, "attr").Version, Is.EqualTo("1:2.5.1-4"));
        });
    }

    [Test]
    public void Distroless_status_d_entries_have_no_Status_and_count_as_installed()
    {
        var root = Corpus.PathOf("inventory", "dpkg-distroless");
        DpkgEntry[] Read(string image, string name) =>
            [.. DpkgStatusParser.Parse(File.ReadAllBytes(Path.Combine(root, image, "var", "lib", "dpkg", "status.d", name)))];
        Assert.Multiple(() =>
        {
            Assert.That(Read("syft-image-distroless-deb", "libsqlite3-0"),
                Is.EqualTo(new[] { new DpkgEntry("libsqlite3-0", "3.34.1-3", "sqlite3", "3.34.1-3", "arm64") }));
            Assert.That(Read("syft-pkg-coverage", "dash"), Is.EqualTo(new[] { new DpkgEntry("dash", "0.5.8-2.4", "dash", "0.5.8-2.4", "amd64") }));
            Assert.That(Read("syft-pkg-coverage", "netbase"), Is.EqualTo(new[] { new DpkgEntry("netbase", "5.4", "netbase", "5.4", "all") }));
            // The md5sums companion is no package database.
            Assert.That(Read("syft-image-distroless-deb", "libsqlite3-0.md5sums"), Is.Empty);
        });
    }

    [TestCase("install ok installed", true)]
    [TestCase("hold ok installed", true)]
    [TestCase("deinstall ok installed", true)] // marked for removal, still installed
    [TestCase("deinstall ok config-files", false)]
    [TestCase("purge ok not-installed", false)]
    [TestCase("install ok half-installed", false)]
    [TestCase("install ok unpacked", false)]
    [TestCase("install ok half-configured", false)]
    [TestCase("install reinstreq half-installed", false)]
    [TestCase("installed", false)]
    [TestCase("", false)]
    public void Status_must_say_installed_in_the_third_word(string status, bool installed) =>
        Assert.That(DpkgStatusParser.IsInstalled(status), Is.EqualTo(installed));

    [Test]
    public void Handles_continuations_crlf_blank_lines_and_broken_paragraphs()
    {
        const string text =
            "\r\n\r\n" +
            "Package: a\r\nStatus: install ok installed\r\nVersion: 1.0-1\r\nDescription: x\r\n first\r\n .\r\n second\r\n\r\n" +
            "Package: b\nStatus: install ok unpacked\nVersion: 2\n\n" +
            "Package: c\nVersion: 3\nSource: csrc (3-0)\nArchitecture: all\n   \n" + // whitespace-only line separates
            "Package: d\nStatus: install ok installed\n\n" + // no version: skipped
            "Version: 5\nStatus: install ok installed\n\n" + // no package: skipped
            "garbage line without colon\nPackage: e\nversion: 1:2\nsource: esrc\nstatus: hold ok installed\n\n\n\n" +
            "Package: f\nVersion: 6\nSource:   fsrc   (  6.0  )  \n" +
            "Package: duplicate-field\n";
        var entries = DpkgStatusParser.Parse(text);
        Assert.That(entries, Is.EqualTo(new[]
        {
            new DpkgEntry("a", "1.0-1", "a", "1.0-1", null),
            new DpkgEntry("c", "3", "csrc", "3-0", "all"),
            new DpkgEntry("e", "1:2", "esrc", "1:2", null),
            new DpkgEntry("f", "6", "fsrc", "6.0", null),
        }));

        var paragraph = DpkgStatusParser.Paragraphs(text).First();
        Assert.That(paragraph["description"], Is.EqualTo("x\nfirst\n.\nsecond"));
    }

    [Test]
    public void Empty_and_binary_garbage_give_no_entries()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DpkgStatusParser.Parse(""), Is.Empty);
            Assert.That(DpkgStatusParser.Parse(new byte[] { 0, 1, 2, 0xff, 0xfe, (byte)'\n', (byte)':' }), Is.Empty);
        });
    }

    /// <summary>
    /// Our parser against this machine's dpkg-query on every corpus status file (and the debootstrap root
    /// when present): same installed packages, architectures, versions, source names and source versions.
    /// </summary>
    [TestCase("ubuntu-18.04-texlive", 357)]
    [TestCase("ubuntu-18.04-trivy-valid", 90)]
    [TestCase("debian-12-scalibr-valid", 7)]
    public void Agrees_with_dpkg_query_on_corpus_status(string name, int count)
    {
        var expected = DpkgQuery(Path.GetDirectoryName(StatusOf(name))!);
        var actual = DpkgStatusParser.Parse(StatusBytes(name));
        Assert.That(actual, Has.Count.EqualTo(count));
        Assert.That(actual.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Architecture, StringComparer.Ordinal),
            Is.EqualTo(expected));
    }

    /// <summary>The bookworm minbase root the suite builds with debootstrap (DebianRootfs), read by dpkg-query and by us.</summary>
    [Test]
    public async Task Agrees_with_dpkg_query_on_a_real_debootstrap_root()
    {
        var admin = Path.Combine(await DebianRootfs.GetOrCreateAsync(), "var", "lib", "dpkg");
        var expected = DpkgQuery(admin);
        var actual = DpkgStatusParser.Parse(File.ReadAllBytes(Path.Combine(admin, "status")));
        TestContext.Out.WriteLine($"debootstrap root: {actual.Count} installed packages");
        Assert.That(actual, Has.Count.GreaterThan(50));
        Assert.That(actual.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Architecture, StringComparer.Ordinal),
            Is.EqualTo(expected));
    }

    private static List<DpkgEntry> DpkgQuery(string adminDir)
    {
        const string dpkgQuery = "/usr/bin/dpkg-query";
        if (!File.Exists(dpkgQuery)) Assert.Fail($"{dpkgQuery} is missing (Debian's dpkg package): no oracle to compare with.");
        var start = new ProcessStartInfo(dpkgQuery)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--admindir=" + adminDir);
        start.ArgumentList.Add("--show");
        start.ArgumentList.Add("--showformat=${db:Status-Status}|${Package}|${Architecture}|${Version}|${source:Package}|${source:Version}\n");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, stderr.Result);
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .Where(f => f[0] == "installed")
            .Select(f => new DpkgEntry(f[1], f[3], f[4], f[5], f[2].Length == 0 ? null : f[2]))
            .OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Architecture, StringComparer.Ordinal)
            .ToList();
    }
}
