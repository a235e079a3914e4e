using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.ScanEngine.Tests.Rpm;
using ImageScanning.ScanEngine.Tests.Support;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Suse;

/// <summary>
/// End to end: the real SUSE SLE 15 BCI rpm database (ndb, 35 packages) pushed as an image to a real registry and scanned
/// BASIC with the whole catalog. The fixture has no os-release; the one written here holds SLES 15 SP3's documented values,
/// which the database's own sles-release-15.3-55.4.1 implies.
/// <para>
/// The corpus's only SUSE OSV record (SUSE-FU-2022:0444-1) has no affected entries, so the SUSE-SU records here are
/// written in the documented shape of SUSE's OSV feed (ftp.suse.com/pub/projects/security/osv: one affected entry per
/// binary rpm and product/module ecosystem, "version-release" fixes, CVEs in "related", CVSS_V3 severity); their ids and
/// fixed versions are made up for the test. Which entries are vulnerable is decided by rpm's labelCompare.
/// </para>
/// </summary>
[TestFixture]
public sealed class SuseBciImageScanTests
{
    private const string Registry = "local";

    /// <summary>SLES 15 SP3's /usr/lib/os-release as SUSE documents it (the BCI base image's).</summary>
    private const string Sles15Sp3OsRelease = """
        NAME="SLES"
        VERSION="15-SP3"
        VERSION_ID="15.3"
        PRETTY_NAME="SUSE Linux Enterprise Server 15 SP3"
        ID="sles"
        ID_LIKE="suse"
        ANSI_COLOR="0;32"
        CPE_NAME="cpe:/o:suse:sles:15:sp3"
        DOCUMENTATION_URL="https://documentation.suse.com/"

        """;

    /// <summary>The streams an SLES 15 SP3 package is keyed under (SuseEcosystemTests checks the keying itself).</summary>
    private static readonly string[] Sp3Streams =
    [
        "SUSE:Linux Enterprise Server 15 SP3", "SUSE:Linux Enterprise Module for Basesystem 15 SP3",
        "SUSE:Linux Enterprise Module for Server Applications 15 SP3", "SUSE:Linux Enterprise Server 15 SP3 LTSS",
    ];

    private static readonly (string Id, string Cve, (string Ecosystem, string Name, string Fixed)[] Entries)[] Records =
    [
        ("SUSE-SU-2022:9001-1", "CVE-2018-25032", [
            ("SUSE:Linux Enterprise Module for Basesystem 15 SP3", "libz1", "1.2.11-3.24.1"),
            ("SUSE:Linux Enterprise Module for Basesystem 15 SP3", "zlib-devel", "1.2.11-3.24.1"),
            ("SUSE:Linux Enterprise Module for Basesystem 15 SP4", "libz1", "1.2.11-150000.3.30.1"),
        ]),
        ("SUSE-SU-2022:9002-1", "CVE-2021-33560", [("SUSE:Linux Enterprise Server 15 SP3 LTSS", "libgcrypt20", "1.8.2-8.42.1")]),
        ("SUSE-SU-2022:9003-1", "CVE-2021-3999", [
            ("SUSE:Linux Enterprise Server 15 SP3", "glibc", "2.31-9.3.2"),                         // the installed build
            ("SUSE:Linux Enterprise Module for Basesystem 15 SP4", "bash", "4.4-150400.27.3.2"),  // another service pack
            ("openSUSE:Leap 15.3", "bash", "4.4-19.9.1"),                                         // another distribution
        ]),
        ("SUSE-SU-2022:9004-1", "CVE-2022-29458", [
            ("SUSE:Linux Enterprise Module for Basesystem 15 SP3", "libncurses6", "6.1-5.9.2"),
            ("SUSE:Linux Enterprise Module for Server Applications 15 SP3", "libncurses6", "6.1-5.9.2"),
        ]),
    ];

    private static string RecordJson((string Id, string Cve, (string Ecosystem, string Name, string Fixed)[] Entries) r)
    {
        var affected = new JsonArray();
        foreach (var (ecosystem, name, fixedIn) in r.Entries)
            affected.Add(new JsonObject
            {
                ["package"] = new JsonObject
                {
                    ["ecosystem"] = ecosystem, ["name"] = name,
                    ["purl"] = $"pkg:rpm/suse/{name}&distro={Uri.EscapeDataString(ecosystem[(ecosystem.IndexOf(':') + 1)..])}",
                },
                ["ranges"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ECOSYSTEM",
                    ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, new JsonObject { ["fixed"] = fixedIn }),
                }),
            });
        return new JsonObject
        {
            ["schema_version"] = "1.6.0", ["id"] = r.Id, ["modified"] = "2022-04-01T10:00:00Z", ["published"] = "2022-04-01T10:00:00Z",
            ["summary"] = "Security update", ["details"] = "This update fixes " + r.Cve + ".",
            ["related"] = new JsonArray(r.Cve), ["aliases"] = new JsonArray(),
            ["severity"] = new JsonArray(new JsonObject { ["type"] = "CVSS_V3", ["score"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" }),
            ["references"] = new JsonArray(new JsonObject { ["type"] = "ADVISORY", ["url"] = "https://www.suse.com/support/update/announcement/" }),
            ["affected"] = affected,
        }.ToJsonString();
    }

    [Test]
    public async Task A_basic_scan_of_the_BCI_database_finds_the_fixes_of_its_service_packs_streams()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");
        await using var registry = await RegistryServer.StartAsync();
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = registry.Url.ToString() });
        using var advisories = new TemporaryAdvisoryStore();
        var real = File.ReadAllText(Corpus.PathOf("osv", "suse", "SUSE-FU-2022_0444-1.json"));
        await advisories.Store.UpsertAsync(OsvParser.Parse(real), real);
        foreach (var record in Records)
        {
            var json = RecordJson(record);
            await advisories.Store.UpsertAsync(OsvParser.Parse(json), json);
        }

        var pushed = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r
            .WriteFile("usr/lib/os-release", Sles15Sp3OsRelease)
            .Symlink("etc/os-release", "../usr/lib/os-release")
            .WriteFile("usr/lib/sysimage/rpm/Packages.db", File.ReadAllBytes(RpmDatabaseTests.Sle15))), registry, "test/bci", "15.3");
        var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), advisories.Store, EcosystemCatalog.All());

        var result = await scanner.ScanAsync(Registry, "test/bci", pushed.Digest, includeLanguagePackages: false, CancellationToken.None);

        var installed = File.ReadAllLines(Corpus.PathOf("inventory", "rpm", "sle15-bci", "expected-packages.tsv"))
            .Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToDictionary(f => f[1], f => (Version: f[2], Release: f[3]));
        var candidates = Records.SelectMany(r => r.Entries.Select(e => (r.Id, e.Ecosystem, e.Name, e.Fixed)))
            .Where(e => Sp3Streams.Contains(e.Ecosystem) && installed.ContainsKey(e.Name)).ToList();
        var order = RpmOracle.Compare(candidates.Select(c =>
        {
            var (version, release) = installed[c.Name];
            var dash = c.Fixed.LastIndexOf('-');
            return (new Evr(null, version, release), new Evr(null, c.Fixed[..dash], c.Fixed[(dash + 1)..]));
        }).ToList());
        var expected = candidates.Where((c, i) => order[i] < 0)
            .Select(c => (c.Id, c.Name, $"{installed[c.Name].Version}-{installed[c.Name].Release}", (string?)c.Fixed))
            .Distinct().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(result.Distribution, Is.EqualTo(new Distribution("sles", "15.3", null, "SUSE Linux Enterprise Server 15 SP3")));
            Assert.That(result.Packages.Select(p => (p.Name, p.Version)),
                Is.EquivalentTo(installed.Select(p => (p.Key, $"{p.Value.Version}-{p.Value.Release}"))));
            Assert.That(expected.Select(f => f.Name), Is.EqualTo(new[] { "libgcrypt20", "libncurses6", "libz1" }),
                "labelCompare: glibc is the fix itself; the SP4 and openSUSE entries are other streams");
            Assert.That(result.Vulnerabilities.Select(m => (m.VulnerabilityId, m.Package.Name, m.Package.Version, m.FixedInVersion))
                .OrderBy(f => f.Item2, StringComparer.Ordinal), Is.EqualTo(expected), "one finding per package and record, however many streams list it");
            Assert.That(result.Vulnerabilities.Select(m => (m.Severity, m.SeveritySource)).Distinct(), Is.EqualTo(new[] { (Severity.High, "CVSS_V3") }));
        });
    }
}
