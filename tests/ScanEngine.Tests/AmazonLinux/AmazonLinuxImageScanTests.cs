using System.IO.Compression;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.AmazonLinux;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.ScanEngine.Tests.Rpm;
using ImageScanning.ScanEngine.Tests.Sources;
using ImageScanning.ScanEngine.Tests.Support;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.AmazonLinux;

/// <summary>
/// End to end: the real Amazon Linux 2023 rpm database (public.ecr.aws/amazonlinux/amazonlinux:2023, 103 packages) and its
/// os-release pushed as an image to a real registry, scanned BASIC by the engine with the whole catalog against a SQLite
/// store holding the corpus's real AL2023 updateinfo.xml, imported through the alas-updateinfo feed.
/// <para>
/// The real update (ALAS2023-2023-001, rsyslog) names no package of that image, so the store also holds one update made
/// here from the real XML with four of its packages renamed to ones the image has: expat and openssl-libs at a later
/// release (findings), bash at the installed build and gmp at a later version but a lower epoch (no findings).
/// Which ones are vulnerable is decided by rpm's labelCompare (python3-rpm), not written down.
/// </para>
/// </summary>
[TestFixture]
public sealed class AmazonLinuxImageScanTests
{
    private const string Registry = "local";

    private static string[] CorpusPath(params string[] rest) => ["inventory", "rpm", "amazonlinux-2023-go-rpmdb", .. rest];

    private static readonly (string Real, string Hit)[] Renames =
    [
        ("""name="rsyslog" version="8.2204.0" release="3.amzn2023.0.2" epoch="0" arch="x86_64">""",
         """name="expat" version="2.5.0" release="1.amzn2023.0.3" epoch="0" arch="x86_64">"""),
        ("""name="rsyslog" version="8.2204.0" release="3.amzn2023.0.2" epoch="0" arch="aarch64">""",
         """name="openssl-libs" version="3.0.8" release="1.amzn2023.0.5" epoch="1" arch="aarch64">"""),
        ("""name="rsyslog" version="8.2204.0" release="3.amzn2023.0.2" epoch="0" arch="i686">""",
         """name="bash" version="5.2.15" release="1.amzn2023.0.2" epoch="0" arch="i686">"""),
        ("""name="rsyslog-doc" version="8.2204.0" release="3.amzn2023.0.2" epoch="0" arch="noarch">""",
         """name="gmp" version="6.3.0" release="1.amzn2023" epoch="0" arch="noarch">"""),
    ];

    private static async Task<string> RealUpdateInfoAsync()
    {
        await using var gz = new GZipStream(File.OpenRead(Corpus.PathOf("native", "amazon-linux", "updateinfo", "updateinfo_AL2023.xml.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        return await reader.ReadToEndAsync();
    }

    [Test]
    public async Task A_basic_scan_keys_every_package_under_Amazon_Linux_2023_and_finds_what_labelCompare_says()
    {
        if (!RpmOracle.Available) Assert.Fail("python3-rpm is missing (tests/run.sh installs it): no oracle to compare with.");
        var real = await RealUpdateInfoAsync();
        var made = real.Replace("<id>ALAS2023-2023-001</id>", "<id>ALAS2023-2023-9001</id>", StringComparison.Ordinal);
        foreach (var (from, to) in Renames)
        {
            Assert.That(made, Does.Contain(from), "the real update lists " + from);
            made = made.Replace(from, to, StringComparison.Ordinal);
        }

        await using var registry = await RegistryServer.StartAsync();
        await using var services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = registry.Url.ToString() });
        using var advisories = new TemporaryAdvisoryStore();
        var source = new AlasUpdateInfoSource();
        var realFeed = await SourceTestStore.ReadAsync(source, "native", "amazon-linux", "updateinfo", "updateinfo_AL2023.xml.gz");
        var madeFeed = await SourceTestStore.ReadTextAsync(source, made);
        Assert.That(realFeed.Skipped.Concat(madeFeed.Skipped), Is.Empty);
        await NativeFeed.StoreAsync(advisories.Store, NativeFeed.MergeById(AlasUpdateInfoSource.SourceName, [realFeed, madeFeed]));

        var pushed = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r
            .WriteFile("usr/lib/os-release", File.ReadAllBytes(Corpus.PathOf(CorpusPath("etc", "os-release"))))
            .Symlink("etc/os-release", "../usr/lib/os-release")
            .WriteFile("var/lib/rpm/rpmdb.sqlite", File.ReadAllBytes(Corpus.PathOf(CorpusPath("var", "lib", "rpm", "rpmdb.sqlite"))))),
            registry, "test/amazonlinux", "2023");
        var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), advisories.Store, EcosystemCatalog.All());

        var result = await scanner.ScanAsync(Registry, "test/amazonlinux", pushed.Digest, includeLanguagePackages: false, CancellationToken.None);

        var expectedPackages = File.ReadAllLines(Corpus.PathOf(CorpusPath("expected-packages.tsv"))).Skip(1)
            .Select(l => l.Split('\t')).Where(f => f[0] != "gpg-pubkey") // an imported signing key, which the finder leaves out
            .Select(f => (Name: f[0], Version: (f[1].Length > 0 ? f[1] + ":" : "") + f[2] + "-" + f[3])).ToList();
        var amazon = new AmazonLinuxEcosystem();
        var fixes = madeFeed.Advisories.Single().Advisory.Affected.ToDictionary(a => a.Package!.Name,
            a => a.Ranges.Single().Events.Single(e => e.Kind == OsvEventKind.Fixed).Version);
        var candidates = expectedPackages.Where(p => fixes.ContainsKey(p.Name)).ToList();
        Assert.That(candidates.Select(c => c.Name), Is.EquivalentTo(new[] { "expat", "openssl-libs", "bash", "gmp" }));
        var order = RpmOracle.Compare(candidates.Select(c => (Evr(c.Version), Evr(fixes[c.Name]))).ToList());
        var expectedFindings = candidates.Where((c, i) => order[i] < 0)
            .Select(c => ("ALAS2023-2023-9001", c.Name, c.Version, (string?)fixes[c.Name])).OrderBy(f => f.Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(result.Distribution?.Id, Is.EqualTo("amzn"));
            Assert.That(result.Distribution?.VersionId, Is.EqualTo("2023"));
            Assert.That(result.Packages.Select(p => (p.Name, p.Version)), Is.EquivalentTo(expectedPackages));
            Assert.That(result.Packages.Select(p => amazon.AdvisoryKeyFor(p, result.Distribution)?.Ecosystem).Distinct(), Is.EqualTo(new[] { "Amazon Linux:2023" }));
            Assert.That(expectedFindings.Select(f => f.Name), Is.EqualTo(new[] { "expat", "openssl-libs" }), "labelCompare: bash is the fix itself, gmp's epoch 1 beats 0:6.3.0");
            Assert.That(result.Vulnerabilities.Select(m => (m.VulnerabilityId, m.Package.Name, m.Package.Version, m.FixedInVersion)).OrderBy(f => f.Item2),
                Is.EqualTo(expectedFindings));
            Assert.That(result.Vulnerabilities.Select(m => (m.Severity, m.SeveritySource, m.VendorSeverity, m.AdvisoryEcosystem)).Distinct(),
                Is.EqualTo(new[] { (Severity.High, "Amazon Linux", (string?)"Important", "Amazon Linux:2023") }));
            Assert.That(result.Vulnerabilities.Select(m => m.Aliases).First(), Is.EqualTo(new[] { "CVE-2014-3634", "CVE-2022-24903" }));
            Assert.That(result.Vulnerabilities.Select(m => m.SourceUrl).Distinct(), Is.EqualTo(new[] { "https://alas.aws.amazon.com/AL2023/ALAS2023-2023-9001.html" }));
        });
    }

    /// <summary>"1:3.0.8-1.amzn2023.0.4" as labelCompare's (epoch, version, release).</summary>
    private static Evr Evr(string evr)
    {
        var colon = evr.IndexOf(':');
        var epoch = colon > 0 ? evr[..colon] : null;
        var rest = evr[(colon + 1)..];
        var dash = rest.LastIndexOf('-');
        return new Evr(epoch, rest[..dash], rest[(dash + 1)..]);
    }
}
