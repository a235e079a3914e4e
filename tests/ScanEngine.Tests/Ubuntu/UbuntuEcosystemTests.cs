using System.Text.Json;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Ecosystems.Ubuntu;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Ubuntu;

[TestFixture]
public sealed class UbuntuEcosystemTests
{
    private static readonly UbuntuEcosystem Standard = new();
    private static readonly UbuntuProEcosystem Pro = new();
    private static readonly Distribution Jammy = new("ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS");

    private static Package Deb(string name, string version, string? source = null, string? sourceVersion = null, string type = "deb") => new()
    {
        Name = name, Version = version, Type = type, SourceName = source, SourceVersion = sourceVersion,
        Architecture = "amd64", FilePath = "var/lib/dpkg/status", LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape_reuses_dpkg_and_finds_nothing_itself()
    {
        foreach (IEcosystem ecosystem in new IEcosystem[] { Standard, Pro })
            Assert.Multiple(() =>
            {
                Assert.That(ecosystem.IsOperatingSystem, Is.True);
                Assert.That(ecosystem.Finders, Is.Empty); // the Debian ecosystem's dpkg finder finds Ubuntu's packages
                Assert.That(ecosystem.VersionComparer, Is.SameAs(DpkgVersionComparer.Instance));
            });
        Assert.That((Standard.Name, Pro.Name), Is.EqualTo(("ubuntu", "ubuntu-pro")));
    }

    [Test]
    public void Keys_name_the_source_package_in_the_release_ecosystem()
    {
        var bsdutils = Deb("bsdutils", "1:2.37.2-4ubuntu3", "util-linux", "2.37.2-4ubuntu3");
        Assert.Multiple(() =>
        {
            Assert.That(Standard.AdvisoryKeyFor(bsdutils, Jammy), Is.EqualTo(new AdvisoryKey("Ubuntu:22.04:LTS", "util-linux", "2.37.2-4ubuntu3")));
            Assert.That(Pro.AdvisoryKeyFor(bsdutils, Jammy), Is.EqualTo(new AdvisoryKey("Ubuntu:Pro:22.04:LTS", "util-linux", "2.37.2-4ubuntu3")));
            // LTS by the even-year April rule when os-release has no pretty name.
            Assert.That(Standard.AdvisoryKeyFor(Deb("bash", "5.2.21-2ubuntu4"), new Distribution("ubuntu", "24.04", "noble", null))?.Ecosystem,
                Is.EqualTo("Ubuntu:24.04:LTS"));
            // Interim releases: no LTS suffix, and no Pro.
            var questing = new Distribution("ubuntu", "25.10", "questing", "Ubuntu 25.10");
            Assert.That(Standard.AdvisoryKeyFor(Deb("bash", "5.2.37-2ubuntu5"), questing)?.Ecosystem, Is.EqualTo("Ubuntu:25.10"));
            Assert.That(Pro.AdvisoryKeyFor(Deb("bash", "5.2.37-2ubuntu5"), questing), Is.Null);
            Assert.That(Standard.AdvisoryKeyFor(Deb("bash", "5.2-1"), new Distribution("ubuntu", "23.04", "lunar", "Ubuntu 23.04"))?.Ecosystem,
                Is.EqualTo("Ubuntu:23.04"));
        });
    }

    [Test]
    public void No_key_off_Ubuntu_or_without_a_release()
    {
        Assert.Multiple(() =>
        {
            foreach (IEcosystem ecosystem in new IEcosystem[] { Standard, Pro })
            {
                Assert.That(ecosystem.AdvisoryKeyFor(Deb("bash", "5.2.15-2"), new Distribution("debian", "12", "bookworm", null)), Is.Null);
                Assert.That(ecosystem.AdvisoryKeyFor(Deb("bash", "5.1-6"), new Distribution("ubuntu", "", "devel", null)), Is.Null);
                Assert.That(ecosystem.AdvisoryKeyFor(Deb("bash", "5.1-6"), null), Is.Null);
                Assert.That(ecosystem.AdvisoryKeyFor(Deb("musl", "1.2.4-r2", type: "apk"), Jammy), Is.Null);
            }
            // And the Debian ecosystem leaves Ubuntu packages alone: no package is keyed twice in one ecosystem.
            Assert.That(new DebianEcosystem().AdvisoryKeyFor(Deb("bash", "5.1-6ubuntu1"), Jammy), Is.Null);
        });
    }

    [TestCase("22.04", "22.04")]
    [TestCase("22.04.3", "22.04")]
    [TestCase(" 6.06 ", "6.06")]
    [TestCase("22", null)]
    [TestCase("22.4", null)]
    [TestCase("jammy", null)]
    [TestCase("", null)]
    public void Release_from_VERSION_ID(string versionId, string? expected) =>
        Assert.That(UbuntuEcosystem.Release(versionId), Is.EqualTo(expected));

    /// <summary>Every ecosystem string of the corpus's real Ubuntu records is one the two ecosystems produce for its release.</summary>
    [Test]
    public void Every_ecosystem_of_the_real_Ubuntu_records_is_produced()
    {
        var seen = new HashSet<string>();
        foreach (var file in Directory.GetFiles(Corpus.PathOf("osv", "ubuntu"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var affected in doc.RootElement.GetProperty("affected").EnumerateArray())
            {
                var package = affected.GetProperty("package");
                var ecosystem = package.GetProperty("ecosystem").GetString()!;
                var name = package.GetProperty("name").GetString()!;
                var release = ecosystem.Split(':').Single(p => p.Contains('.'));
                var distribution = new Distribution("ubuntu", release, null, null);
                var keys = new[] { Standard.AdvisoryKeyFor(Deb("bin", "1.0-1", name, "1.0-1"), distribution), Pro.AdvisoryKeyFor(Deb("bin", "1.0-1", name, "1.0-1"), distribution) };
                Assert.That(keys.Where(k => k is not null).Select(k => (k!.Value.Ecosystem, k.Value.PackageName)), Does.Contain((ecosystem, name)), file);
                seen.Add(ecosystem);
            }
        }
        Assert.That(seen, Does.Contain("Ubuntu:25.10").And.Contain("Ubuntu:22.04:LTS").And.Contain("Ubuntu:Pro:26.04:LTS"));
        Assert.That(seen, Has.Count.EqualTo(14)); // six LTS releases, one interim, seven Pro
    }
}
