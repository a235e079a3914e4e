using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.Oracle;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.ScanEngine.Tests.Rpm;
using ImageScanning.ScanEngine.Tests.Sources;
using ImageScanning.ScanEngine.Tests.Support;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.ScanEngine.Tests.Oracle.OracleOvalSample;

namespace ImageScanning.ScanEngine.Tests.Oracle;

/// <summary>
/// End to end for Oracle Linux. No Oracle Linux rpm database is in the corpus (none was found under an open licence), so the
/// database is written here by rpm itself (Debian's rpm 4.18, sqlite backend, as Oracle Linux 9 writes it): packages built by
/// rpmbuild with Oracle's names, versions and vendor, installed with <c>rpm --justdb</c>; the os-release is Oracle Linux 8.9's
/// documented one. The image is pushed to a real registry and scanned BASIC with the whole catalog against ELSA OVAL
/// definitions (built from the OVAL 5 schema in Oracle's layout, <see cref="OracleOvalSample"/>) imported through the
/// oracle-oval feed, bzip2-compressed as Oracle serves it. Which packages are vulnerable is rpm's labelCompare's answer.
/// </summary>
[TestFixture]
public sealed class OracleLinuxImageScanTests
{
    private const string Registry = "local";

    private const string OsRelease = """
        NAME="Oracle Linux Server"
        VERSION="8.9"
        ID="ol"
        ID_LIKE="fedora"
        VARIANT="Server"
        VARIANT_ID="server"
        VERSION_ID="8.9"
        PLATFORM_ID="platform:el8"
        PRETTY_NAME="Oracle Linux Server 8.9"
        ANSI_COLOR="0;31"
        CPE_NAME="cpe:/o:oracle:linux:8:9:server"
        HOME_URL="https://linux.oracle.com/"
        BUG_REPORT_URL="https://github.com/oracle/oracle-linux"

        """;

    /// <summary>Installed: (name, epoch, version, release).</summary>
    private static readonly (string Name, string? Epoch, string Version, string Release)[] Installed =
    [
        ("openssl-libs", "1", "1.1.1k", "9.el8_7"),       // before ELSA-2024-1234's fix: a finding
        ("openssl", "1", "1.1.1k", "12.el8_9"),           // the fix itself
        ("bash", null, "4.4.20", "4.el8_6"),               // no definition names it
        ("glibc", null, "2.28", "236.0.1.el8"),            // the fix is a later build: a finding
        ("curl", null, "7.61.1", "33.el8_9.5"),            // a later build than the fix
    ];

    private static readonly Definition[] Definitions =
    [
        new("ELSA-2024-1234", "8", "MODERATE", ["CVE-2023-5678"],
            [new("openssl", "1:1.1.1k-12.el8_9"), new("openssl-libs", "1:1.1.1k-12.el8_9")]),
        new("ELSA-2024-1235", "8", "IMPORTANT", ["CVE-2023-4911"], [new("glibc", "0:2.28-236.0.1.el8_9.2")]),
        new("ELSA-2024-1236", "8", "LOW", ["CVE-2023-38546"], [new("curl", "0:7.61.1-33.el8_9.2")]),
        new("ELSA-2024-1237", "9", "IMPORTANT", ["CVE-2023-38545"], [new("curl", "0:7.76.1-26.el9_3.3")]),
    ];

    [Test]
    public async Task A_basic_scan_of_an_rpm_database_rpm_wrote_finds_what_labelCompare_says_against_elsa_oval()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");
        var work = Directory.CreateTempSubdirectory("oracle-rpmdb-");
        try
        {
            var database = await WriteRpmDatabaseAsync(work.FullName);
            var oval = Build(Definitions);
            var compressed = await Bzip2Async(work.FullName, oval);
            var feed = await new OracleOvalSource().ReadAsync(new MemoryStream(compressed));
            Assert.That(feed.Skipped, Is.Empty);

            await using var registry = await RegistryServer.StartAsync();
            await using var services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = registry.Url.ToString() });
            using var advisories = new TemporaryAdvisoryStore();
            await NativeFeed.StoreAsync(advisories.Store, feed);
            var pushed = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r
                    .WriteFile("etc/os-release", System.Text.Encoding.UTF8.GetBytes(OsRelease))
                    .WriteFile("var/lib/rpm/rpmdb.sqlite", database)),
                registry, "test/oraclelinux", "8.9");
            var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), advisories.Store, EcosystemCatalog.All());

            var result = await scanner.ScanAsync(Registry, "test/oraclelinux", pushed.Digest, includeLanguagePackages: false, CancellationToken.None);

            var fixes = feed.Advisories.SelectMany(a => a.Advisory.Affected.Select(x => (a.Advisory.Id, x.Package!.Ecosystem, x.Package.Name,
                Fixed: x.Ranges.Single().Events.Single(e => e.Kind == OsvEventKind.Fixed).Version))).Where(f => f.Ecosystem == "Oracle Linux:8").ToList();
            var candidates = Installed.SelectMany(p => fixes.Where(f => f.Name == p.Name).Select(f => (Package: p, Fix: f))).ToList();
            var order = RpmOracle.Compare(candidates.Select(c => (new Evr(c.Package.Epoch, c.Package.Version, c.Package.Release), Evr(c.Fix.Fixed))).ToList());
            var expected = candidates.Where((_, i) => order[i] < 0)
                .Select(c => (c.Fix.Id, c.Package.Name, (string?)c.Fix.Fixed)).OrderBy(f => f.Name).ToList();

            Assert.Multiple(() =>
            {
                Assert.That(result.Distribution?.Id, Is.EqualTo("ol"));
                Assert.That(result.Packages.Select(p => (p.Name, p.Version, p.Vendor)), Is.EquivalentTo(Installed.Select(p =>
                    (p.Name, (p.Epoch is null ? "" : p.Epoch + ":") + p.Version + "-" + p.Release, (string?)"Oracle America"))));
                Assert.That(result.Packages.Select(p => new OracleLinuxEcosystem().AdvisoryKeyFor(p, result.Distribution)?.Ecosystem).Distinct(),
                    Is.EqualTo(new[] { "Oracle Linux:8" }));
                Assert.That(expected.Select(f => f.Name), Is.EqualTo(new[] { "glibc", "openssl-libs" }), "labelCompare's verdicts on these versions");
                Assert.That(result.Vulnerabilities.Select(m => (m.VulnerabilityId, m.Package.Name, m.FixedInVersion)).OrderBy(f => f.Item2), Is.EqualTo(expected));
                Assert.That(result.Vulnerabilities.Select(m => m.AdvisoryEcosystem).Distinct(), Is.EqualTo(new[] { "Oracle Linux:8" }));
            });
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Builds each installed package with rpmbuild and records it in a new sqlite rpm database with rpm --justdb.</summary>
    private static async Task<byte[]> WriteRpmDatabaseAsync(string work)
    {
        var top = Path.Combine(work, "rpmbuild");
        foreach (var (name, epoch, version, release) in Installed)
        {
            var spec = Path.Combine(work, name + ".spec");
            await File.WriteAllTextAsync(spec, $"""
                Name: {name}
                {(epoch is null ? "" : "Epoch: " + epoch)}
                Version: {version}
                Release: {release}
                Summary: {name} as Oracle Linux 8 ships it (name, version and vendor only)
                License: MIT
                Vendor: Oracle America
                BuildArch: noarch
                %description
                Test package.
                %files

                """);
            await ProcessRunner.RunAsync("rpmbuild", ["-bb", "--quiet", "--define", "_topdir " + top, spec]);
        }
        var dbPath = Path.Combine(work, "root", "var", "lib", "rpm");
        Directory.CreateDirectory(dbPath);
        var rpms = Directory.GetFiles(Path.Combine(top, "RPMS"), "*.rpm", SearchOption.AllDirectories);
        await ProcessRunner.RunAsync("rpm", ["--dbpath", dbPath, "--define", "_db_backend sqlite", "--initdb"]);
        await ProcessRunner.RunAsync("rpm", ["--dbpath", dbPath, "--define", "_db_backend sqlite", "-i", "--justdb", "--nodeps", "--noscripts", "--nosignature", "--ignorearch", .. rpms]);
        // A read closes the database cleanly, folding its write-ahead log into rpmdb.sqlite.
        await ProcessRunner.RunAsync("rpm", ["--dbpath", dbPath, "--define", "_db_backend sqlite", "-qa"]);
        return await File.ReadAllBytesAsync(Path.Combine(dbPath, "rpmdb.sqlite"));
    }

    private static async Task<byte[]> Bzip2Async(string work, string text)
    {
        var path = Path.Combine(work, "elsa.xml");
        await File.WriteAllTextAsync(path, text);
        await ProcessRunner.RunAsync(RpmOracle.Python, ["-c", "import bz2, sys; open(sys.argv[1] + '.bz2', 'wb').write(bz2.compress(open(sys.argv[1], 'rb').read()))", path]);
        return await File.ReadAllBytesAsync(path + ".bz2");
    }

    /// <summary>"1:1.1.1k-12.el8_9" as labelCompare's (epoch, version, release).</summary>
    private static Evr Evr(string evr)
    {
        var colon = evr.IndexOf(':');
        var rest = evr[(colon + 1)..];
        var dash = rest.LastIndexOf('-');
        return new Evr(colon > 0 ? evr[..colon] : null, rest[..dash], rest[(dash + 1)..]);
    }
}
