using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Rpm;

[TestFixture]
public sealed class RpmDatabaseTests
{
    internal static string Mariner => Corpus.PathOf("inventory", "rpm", "cbl-mariner-2.0", "var", "lib", "rpm", "rpmdb.sqlite");
    internal static string Libuuid => Corpus.PathOf("inventory", "rpm", "libuuid-bdb", "var", "lib", "rpm", "Packages");
    internal static string Sle15 => Corpus.PathOf("inventory", "rpm", "sle15-bci", "usr", "lib", "sysimage", "rpm", "Packages.db");

    private static IReadOnlyList<RpmHeader> Headers(string path) => RpmDatabase.ReadHeaders(File.ReadAllBytes(path));

    [Test]
    public void Formats_are_recognised_by_their_magic()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RpmDatabase.DetectFormat(File.ReadAllBytes(Mariner)), Is.EqualTo(RpmDatabaseFormat.Sqlite));
            Assert.That(RpmDatabase.DetectFormat(File.ReadAllBytes(Libuuid)), Is.EqualTo(RpmDatabaseFormat.BerkeleyDb));
            Assert.That(RpmDatabase.DetectFormat(File.ReadAllBytes(Sle15)), Is.EqualTo(RpmDatabaseFormat.Ndb));
            Assert.That(RpmDatabase.DetectFormat("Package: bash\n"u8), Is.Null);
        });
    }

    /// <summary>The 35 packages go-rpmdb's SLE15WithNDB test asserts, in database order, field for field.</summary>
    [Test]
    public void Ndb_database_of_SLE15_BCI_gives_exactly_the_expected_packages()
    {
        var expected = File.ReadAllLines(Corpus.PathOf("inventory", "rpm", "sle15-bci", "expected-packages.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => (Epoch: f[0].Length == 0 ? (int?)null : int.Parse(f[0]), Name: f[1], Version: f[2], Release: f[3], Arch: f[4], Source: f[5]))
            .ToList();
        var headers = Headers(Sle15);

        Assert.That(expected, Has.Count.EqualTo(35));
        Assert.That(headers.Select(h => (h.Epoch, h.Name, h.Version, h.Release, h.Architecture, h.SourceRpm)),
            Is.EqualTo(expected.Select(e => (e.Epoch, e.Name, e.Version, e.Release, (string?)e.Arch, (string?)e.Source))));
        var bash = headers.Single(h => h.Name == "libreadline7");
        Assert.Multiple(() =>
        {
            Assert.That(bash.SourceName, Is.EqualTo("bash"));
            Assert.That(bash.SourceEvr, Is.EqualTo("4.4-19.6.1"));
            Assert.That(bash.Evr, Is.EqualTo("7.0-19.6.1"));
            Assert.That(bash.Vendor, Is.EqualTo("SUSE LLC <https://www.suse.com/>"));
            Assert.That(headers.Single(h => h.Name == "libgcc_s1").SourceName, Is.EqualTo("gcc11"));
        });
    }

    [Test]
    public void Berkeley_database_gives_libuuid()
    {
        var header = Headers(Libuuid).Single();
        Assert.That(header, Is.EqualTo(new RpmHeader("libuuid", null, "2.32.1", "42.el8_8", "x86_64",
            "util-linux-2.32.1-42.el8_8.src.rpm", "Red Hat, Inc.", null)));
        Assert.That((header.SourceName, header.SourceEvr), Is.EqualTo(("util-linux", "2.32.1-42.el8_8")));
    }

    [Test]
    public void Sqlite_database_of_CBL_Mariner_has_its_packages_and_leaves_no_temp_file()
    {
        var before = Directory.GetFiles(Path.GetTempPath(), "rpmdb-*").Length;
        var headers = Headers(Mariner);
        Assert.Multiple(() =>
        {
            Assert.That(headers, Has.Count.EqualTo(129));
            Assert.That(headers[0], Is.EqualTo(new RpmHeader("mariner-release", null, "2.0", "4.cm2", "noarch",
                "mariner-release-2.0-4.cm2.src.rpm", "Microsoft Corporation", null)));
            Assert.That(headers.Select(h => h.Name), Does.Contain("glibc").And.Contain("openssl"));
            Assert.That(Directory.GetFiles(Path.GetTempPath(), "rpmdb-*"), Has.Length.EqualTo(before));
        });
    }

    private static IEnumerable<TestCaseData> CorpusDatabases()
    {
        yield return new TestCaseData("cbl-mariner-2.0", Mariner, "sqlite").SetName("Agrees_with_rpm_on_sqlite");
        yield return new TestCaseData("libuuid-bdb", Libuuid, "bdb_ro").SetName("Agrees_with_rpm_on_bdb");
    }

    /// <summary>Every package of every corpus database, field for field, as this machine's rpm lists them.</summary>
    [TestCaseSource(nameof(CorpusDatabases))]
    public void Agrees_with_rpm(string name, string path, string backend)
    {
        if (!RpmTool.Available) Assert.Fail($"{RpmTool.Rpm} is missing (tests/run.sh installs Debian's rpm): no reference reader.");
        Assert.That(RpmTool.Backends, Does.Contain(backend), $"this rpm cannot read {name}");

        var expected = RpmTool.Query(path, backend).Order(StringComparer.Ordinal).ToList();
        var ours = Headers(path).Select(Formatted).Order(StringComparer.Ordinal).ToList();
        TestContext.Out.WriteLine($"{name}: rpm lists {expected.Count} packages, we read {ours.Count}.");
        Assert.That(ours, Is.EqualTo(expected));
    }

    /// <summary>
    /// Debian's rpm has no ndb backend, so for the SLE15 ndb database two references share the work: go-rpmdb's list
    /// (Ndb_database_of_SLE15_BCI_gives_exactly_the_expected_packages) says which 35 headers the database holds, and
    /// librpm's own header parser reads each blob we take out of it, every field of rpm -qa's format.
    /// </summary>
    [Test]
    public void Ndb_header_blobs_are_whole_headers_that_librpm_reads_as_we_do()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no librpm to read the headers with.");
        var blobs = RpmDatabase.ReadHeaderBlobs(File.ReadAllBytes(Sle15));
        var librpm = RpmTool.FormatHeaderBlobs(blobs);
        var ours = Headers(Sle15).Select(Formatted).ToList();
        TestContext.Out.WriteLine($"librpm read {librpm.Count} headers; the first: {librpm.FirstOrDefault()}");
        Assert.That(blobs, Has.Count.EqualTo(35));
        Assert.That(ours, Is.EqualTo(librpm));
    }

    private static string Formatted(RpmHeader h)
    {
        static string Tag(string? value) => value ?? "(none)";
        return string.Join('\t', h.Name, h.Epoch?.ToString() ?? "(none)", h.Version, h.Release, Tag(h.Architecture),
            Tag(h.SourceRpm), Tag(h.Vendor), Tag(h.ModularityLabel));
    }
}
