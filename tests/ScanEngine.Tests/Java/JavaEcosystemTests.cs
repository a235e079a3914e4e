using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Java;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Advisories;
using static ImageScanning.ScanEngine.Tests.Java.TestArchives;

using ImageScanning.ScanEngine.Tests.Support;

namespace ImageScanning.ScanEngine.Tests.Java;

[TestFixture]
public sealed class JavaEcosystemTests : AdvisoryStoreTests
{
    private const string Layer = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private static readonly Distribution Bookworm = new("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)");

    private static Package Pkg(string name, string version, string type = "maven") =>
        new() { Name = name, Version = version, Type = type, FilePath = "app/x.jar", LayerDigest = Layer };

    [Test]
    public void Shape_of_the_ecosystem()
    {
        var ecosystem = new JavaEcosystem();
        Assert.Multiple(() =>
        {
            Assert.That(ecosystem.Name, Is.EqualTo("java"));
            Assert.That(ecosystem.IsOperatingSystem, Is.False);
            Assert.That(ecosystem.VersionComparer, Is.SameAs(MavenVersionComparer.Instance));
            Assert.That(ecosystem.Finders.Single(), Is.TypeOf<JavaArchiveFinder>());
        });
    }

    [Test]
    public void Advisory_keys_name_maven_packages_group_colon_artifact()
    {
        var ecosystem = new JavaEcosystem();
        Assert.Multiple(() =>
        {
            Assert.That(ecosystem.AdvisoryKeyFor(Pkg("org.apache.logging.log4j:log4j-core", "2.14.1"), Bookworm),
                Is.EqualTo(new AdvisoryKey("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")));
            Assert.That(ecosystem.AdvisoryKeyFor(Pkg("org.apache.logging.log4j:log4j-core", "2.14.1"), null),
                Is.EqualTo(new AdvisoryKey("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")));
            Assert.That(ecosystem.AdvisoryKeyFor(Pkg("openssl", "3.0.11-1~deb12u2", "deb"), Bookworm), Is.Null);
            Assert.That(ecosystem.AdvisoryKeyFor(Pkg("log4j-core", "2.14.1"), null), Is.Null);
            Assert.That(ecosystem.AdvisoryKeyFor(Pkg("org.example:", "1"), null), Is.Null);
        });
    }

    /// <summary>
    /// Log4Shell end to end: a war in the image holding log4j-core 2.14.1 (identified by its pom.properties) is found
    /// by the finder and matched to the real GHSA record; 2.17.1 is past every affected range of that record.
    /// </summary>
    [TestCase("2.14.1", true)]
    [TestCase("2.17.1", false)]
    public async Task Log4j_core_in_a_war_is_matched_to_log4shell(string version, bool vulnerable)
    {
        var raw = OsvCorpus.Raw("ghsa", "GHSA-jfh8-c2jp-5v3q");
        await store.UpsertAsync(OsvParser.Parse(raw), raw);
        var war = Zip(Text("WEB-INF/web.xml", "<web-app/>"),
            ($"WEB-INF/lib/log4j-core-{version}.jar", Jar("org.apache.logging.log4j", "log4j-core", version)));
        var ecosystem = new JavaEcosystem();
        var image = new ImageFiles([new LayerFiles { Digest = Layer, Files = new Dictionary<string, byte[]> { ["app/app.war"] = war } }]);

        var packages = ecosystem.Finders.SelectMany(f => f.Find(image, Bookworm)).ToList();
        var matches = await new VulnerabilityMatcher(store).MatchAsync(packages, Bookworm, [ecosystem]);

        Assert.That(packages.Select(p => (p.Name, p.Version, p.FilePath)), Is.EqualTo(new[]
        {
            ("org.apache.logging.log4j:log4j-core", version, $"app/app.war!/WEB-INF/lib/log4j-core-{version}.jar"),
        }));
        if (!vulnerable)
        {
            Assert.That(matches, Is.Empty);
            return;
        }
        var match = matches.Single();
        Assert.Multiple(() =>
        {
            Assert.That(match.VulnerabilityId, Is.EqualTo("GHSA-jfh8-c2jp-5v3q"));
            Assert.That(match.Aliases, Is.EqualTo(new[] { "CVE-2021-44228" }));
            Assert.That(match.Severity, Is.EqualTo(Severity.Critical));
            Assert.That(match.FixedInVersion, Is.EqualTo("2.15.0"));
            Assert.That(match.AdvisoryEcosystem, Is.EqualTo("Maven"));
            Assert.That(match.AdvisoryPackageName, Is.EqualTo("org.apache.logging.log4j:log4j-core"));
            Assert.That(match.MatchedVersion, Is.EqualTo("2.14.1"));
            Assert.That(match.Package.LayerDigest, Is.EqualTo(Layer));
        });
    }

    /// <summary>Maven ordering decides the GHSA ranges: qualifiers sort before the release they precede.</summary>
    [TestCase("2.15.0-rc1", true)]   // rc < release: still before the 2.15.0 fix
    [TestCase("2.13.0-beta1", false)] // before "introduced": 2.13.0
    [TestCase("2.12.1", true)]        // in the 2.4 .. 2.12.2 range
    [TestCase("2.12.2", false)]
    [TestCase("2.3.0", true)]         // in the 0 .. 2.3.1 range
    [TestCase("2.3.1", false)]
    public async Task Maven_version_order_decides_the_ranges(string version, bool vulnerable)
    {
        var raw = OsvCorpus.Raw("ghsa", "GHSA-jfh8-c2jp-5v3q");
        await store.UpsertAsync(OsvParser.Parse(raw), raw);

        var matches = await new VulnerabilityMatcher(store).MatchAsync([Pkg("org.apache.logging.log4j:log4j-core", version)], null, [new JavaEcosystem()]);

        Assert.That(matches.Select(m => m.VulnerabilityId), Is.EqualTo(vulnerable ? new[] { "GHSA-jfh8-c2jp-5v3q" } : Array.Empty<string>()));
    }
}
