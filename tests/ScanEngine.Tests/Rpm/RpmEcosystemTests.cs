using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Rpm;

[TestFixture]
public sealed class RpmEcosystemTests
{
    private static readonly RpmEcosystem Ecosystem = new();
    private static readonly Distribution Alma9 = new("almalinux", "9.3", null, "AlmaLinux 9.3 (Shamrock Pampas Cat)");
    private static readonly Distribution Mariner2 = new("mariner", "2.0", null, "CBL-Mariner/Linux");

    private string _directory = null!;
    private SqliteAdvisoryStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rpm-ecosystem-tests", Guid.NewGuid().ToString("N"));
        _store = new SqliteAdvisoryStore(Path.Combine(_directory, "advisories.db"));
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static Package Rpm(string name, string version, string? source = null, string? sourceVersion = null, string type = "rpm") => new()
    {
        Name = name, Version = version, Type = type, SourceName = source ?? name, SourceVersion = sourceVersion ?? version,
        Architecture = "x86_64", FilePath = "var/lib/rpm/rpmdb.sqlite", LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("rpm"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.True);
            Assert.That(Ecosystem.Finders.Single(), Is.InstanceOf<RpmFinder>());
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(RpmVersionComparer.Instance));
        });
    }

    [TestCase("almalinux", "9.3", "AlmaLinux:9", "openssl-libs", "1:3.0.7-24.el9")]
    [TestCase("almalinux", "8", "AlmaLinux:8", "openssl-libs", "1:3.0.7-24.el9")]
    [TestCase("rocky", "9.2", "Rocky Linux:9", "openssl-libs", "1:3.0.7-24.el9")]
    [TestCase("mageia", "9", "Mageia:9", "openssl", "1:3.0.7-20.el9")]
    [TestCase("azurelinux", "3.0", "Azure Linux:3", "openssl", "1:3.0.7-20.el9")]
    [TestCase("mariner", "2.0", "Azure Linux:2", "openssl", "1:3.0.7-20.el9")]
    public void Advisory_keys_per_vendor(string id, string versionId, string ecosystem, string name, string version)
    {
        // A binary package whose source has another version, so that the test tells which one each vendor keys on.
        var package = Rpm("openssl-libs", "1:3.0.7-24.el9", "openssl", "1:3.0.7-20.el9");
        Assert.That(Ecosystem.AdvisoryKeyFor(package, new Distribution(id, versionId, null, null)),
            Is.EqualTo(new AdvisoryKey(ecosystem, name, version)));
    }

    [TestCase("rhel", "9.3")]   // keyed by RedHatEcosystem, per repository stream, not here
    [TestCase("sles", "15.5")]  // keyed by the SUSE ecosystems (Ecosystems/Suse)
    [TestCase("opensuse-leap", "15.5")]
    [TestCase("amzn", "2023")]  // keyed by AmazonLinuxEcosystem, from ALAS
    [TestCase("centos", "7")]
    [TestCase("fedora", "39")]
    [TestCase("ol", "9.3")]
    [TestCase("almalinux", "")]
    public void No_key_where_the_vendor_has_no_addressable_OSV_ecosystem(string id, string versionId)
    {
        Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "5.1.8-6.el9"), new Distribution(id, versionId, null, null)), Is.Null);
    }

    [Test]
    public void No_key_for_other_package_types_or_without_a_distribution()
    {
        Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "5.2.15-2", type: "deb"), Alma9), Is.Null);
        Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "5.1.8-6.el9"), null), Is.Null);
    }

    /// <summary>
    /// The corpus holds no rpm-distribution OSV record, so this one is written here in the exact shape osv.dev
    /// serves AlmaLinux advisories (ALSA ids, "AlmaLinux:9" ecosystem, one affected entry per binary rpm,
    /// epoch-qualified fixed versions, CVEs in "related").
    /// </summary>
    private const string AlmaOpensslAdvisory = """
        {
          "schema_version": "1.7.3",
          "id": "ALSA-2024:2447",
          "summary": "Moderate: openssl and openssl-fips-provider security update",
          "details": "OpenSSL is a toolkit that implements the Secure Sockets Layer (SSL) and Transport Layer Security (TLS) protocols, as well as a full-strength general-purpose cryptography library.",
          "published": "2024-04-30T00:00:00Z",
          "modified": "2024-05-13T12:02:40Z",
          "related": ["CVE-2023-2975", "CVE-2023-3446", "CVE-2023-3817", "CVE-2023-5678", "CVE-2024-0727"],
          "affected": [
            {"package": {"ecosystem": "AlmaLinux:9", "name": "openssl"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-27.el9"}]}]},
            {"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-devel"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-27.el9"}]}]},
            {"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-libs"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-27.el9"}]}]},
            {"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-perl"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-27.el9"}]}]}
          ],
          "references": [{"type": "ADVISORY", "url": "https://errata.almalinux.org/9/ALSA-2024-2447.html"}]
        }
        """;

    [Test]
    public async Task AlmaLinux_binary_packages_match_an_ALSA_record_by_epoch_version_release()
    {
        await _store.UpsertAsync(OsvParser.Parse(AlmaOpensslAdvisory), AlmaOpensslAdvisory);
        var vulnerable = Rpm("openssl-libs", "1:3.0.7-24.el9", "openssl", "1:3.0.7-24.el9");
        var fixedOne = Rpm("openssl-libs", "1:3.0.7-27.el9", "openssl", "1:3.0.7-27.el9");
        var hotfix = Rpm("openssl", "1:3.0.7-27.el9~hotfix", "openssl", "1:3.0.7-27.el9~hotfix"); // '~' sorts before the fix
        var unrelated = Rpm("bash", "5.1.8-6.el9");

        var matches = await new VulnerabilityMatcher(_store).MatchAsync([vulnerable, fixedOne, hotfix, unrelated], Alma9, [Ecosystem]);
        var onRocky = await new VulnerabilityMatcher(_store).MatchAsync([vulnerable], new Distribution("rocky", "9.3", null, null), [Ecosystem]);

        Assert.Multiple(() =>
        {
            Assert.That(matches.Select(m => (m.Package.Name, m.Package.Version, m.VulnerabilityId, m.FixedInVersion, m.AdvisoryEcosystem)), Is.EqualTo(new[]
            {
                ("openssl-libs", "1:3.0.7-24.el9", "ALSA-2024:2447", (string?)"1:3.0.7-27.el9", "AlmaLinux:9"),
                ("openssl", "1:3.0.7-27.el9~hotfix", "ALSA-2024:2447", (string?)"1:3.0.7-27.el9", "AlmaLinux:9"),
            }));
            Assert.That(onRocky, Is.Empty, "a Rocky Linux image does not match AlmaLinux advisories");
        });
    }

    /// <summary>
    /// The real CBL-Mariner 2.0 inventory found by the finder against a record written here in the shape
    /// osv.dev serves Azure Linux advisories (source package names, "release.cm2" fixed versions).
    /// </summary>
    [Test]
    public async Task Mariner_inventory_matches_by_source_package()
    {
        const string record = """
            {
              "schema_version": "1.7.3",
              "id": "AZL-0001",
              "summary": "CVE-2023-0286 affecting package openssl for versions less than 1.1.1k-8",
              "details": "CVE-2023-0286 affecting package openssl for versions less than 1.1.1k-8. A patched version of the package is available.",
              "published": "2023-02-10T00:00:00Z",
              "modified": "2023-02-10T00:00:00Z",
              "upstream": ["CVE-2023-0286"],
              "affected": [
                {"package": {"ecosystem": "Azure Linux:2", "name": "openssl"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1k-8.cm2"}]}]},
                {"package": {"ecosystem": "Azure Linux:2", "name": "zlib"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.11-5.cm2"}]}]}
              ]
            }
            """;
        await _store.UpsertAsync(OsvParser.Parse(record), record);
        var files = new ImageFiles([new LayerFiles
        {
            Digest = "sha256:l0",
            Files = new Dictionary<string, byte[]> { ["var/lib/rpm/rpmdb.sqlite"] = File.ReadAllBytes(RpmDatabaseTests.Mariner) },
        }]);
        var packages = Ecosystem.Finders.SelectMany(f => f.Find(files, Mariner2)).ToList();

        var matches = await new VulnerabilityMatcher(_store).MatchAsync(packages, Mariner2, [Ecosystem]);

        Assert.That(matches.Select(m => (m.Package.Name, m.AdvisoryPackageName, m.MatchedVersion, m.FixedInVersion)).OrderBy(m => m.Name),
            Is.EqualTo(new[]
            {
                ("openssl", "openssl", "1.1.1k-7.cm2", (string?)"1.1.1k-8.cm2"),
                ("openssl-libs", "openssl", "1.1.1k-7.cm2", (string?)"1.1.1k-8.cm2"),
            }), "zlib 1.2.11-5.cm2 is the fixed version itself");
    }
}
