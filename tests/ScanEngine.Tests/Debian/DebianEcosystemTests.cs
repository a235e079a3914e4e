using System.Text.Json;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Debian;

[TestFixture]
public sealed class DebianEcosystemTests
{
    private static readonly DebianEcosystem Ecosystem = new();
    private static readonly Distribution Bookworm = new("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)");

    private static Package Deb(string name, string version, string? source = null, string? sourceVersion = null, string type = "deb") => new()
    {
        Name = name, Version = version, Type = type, SourceName = source, SourceVersion = sourceVersion,
        Architecture = "amd64", FilePath = "var/lib/dpkg/status", LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Name, Is.EqualTo("debian"));
            Assert.That(Ecosystem.IsOperatingSystem, Is.True);
            Assert.That(Ecosystem.Finders, Has.Count.EqualTo(1));
            Assert.That(Ecosystem.Finders[0], Is.InstanceOf<DpkgFinder>());
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(DpkgVersionComparer.Instance));
            Assert.That(Ecosystem.VersionComparer.Scheme, Is.EqualTo("dpkg"));
        });
    }

    [Test]
    public void Advisory_key_names_the_source_package_on_Debian_major()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("util-linux-extra", "2.38.1-5+b1", "util-linux", "2.38.1-5"), Bookworm),
                Is.EqualTo(new AdvisoryKey("Debian:12", "util-linux", "2.38.1-5")));
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2"), Bookworm with { VersionId = "12.5" }),
                Is.EqualTo(new AdvisoryKey("Debian:12", "openssl", "3.0.11-1~deb12u2")));
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("bash", "5.2.15-2+b2"), new Distribution("debian", "11", "bullseye", null)),
                Is.EqualTo(new AdvisoryKey("Debian:11", "bash", "5.2.15-2+b2")));
        });
    }

    [Test]
    public void No_advisory_key_off_Debian_or_without_a_version()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("bash", "5.1-6ubuntu1"), new Distribution("ubuntu", "22.04", "jammy", null)), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("bash", "5.2.15-2"), new Distribution("debian", "", "trixie", null)), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("bash", "5.2.15-2"), null), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(Deb("musl", "1.2.4-r2", type: "apk"), Bookworm), Is.Null);
        });
    }

    /// <summary>
    /// The key the ecosystem builds for a binary package matches how a real OSV Debian advisory in the corpus
    /// names the affected package (DLA-3008-1: openssl on Debian:9, named by source package).
    /// </summary>
    [Test]
    public void Key_matches_a_real_Debian_OSV_record()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("osv", "debian", "DLA-3008-1.json")));
        var affected = doc.RootElement.GetProperty("affected")[0].GetProperty("package");
        var stretch = new Distribution("debian", "9", "stretch", "Debian GNU/Linux 9 (stretch)");
        var key = Ecosystem.AdvisoryKeyFor(Deb("libssl1.1", "1.1.0l-1~deb9u5", "openssl", "1.1.0l-1~deb9u5"), stretch);
        Assert.That(key, Is.Not.Null);
        Assert.That((key!.Value.Ecosystem, key.Value.PackageName),
            Is.EqualTo((affected.GetProperty("ecosystem").GetString(), affected.GetProperty("name").GetString())));
    }

    [Test]
    public void Found_packages_of_a_distroless_image_get_source_keys()
    {
        var sqlite = File.ReadAllBytes(Path.Combine(Corpus.PathOf("inventory", "dpkg-distroless"),
            "syft-image-distroless-deb", "var", "lib", "dpkg", "status.d", "libsqlite3-0"));
        var files = new ImageFiles([new LayerFiles { Digest = "sha256:l0", Files = new Dictionary<string, byte[]> { ["var/lib/dpkg/status.d/libsqlite3-0"] = sqlite } }]);
        var bullseye = new Distribution("debian", "11", "bullseye", null);
        var keys = Ecosystem.Finders.SelectMany(f => f.Find(files, bullseye)).Select(p => Ecosystem.AdvisoryKeyFor(p, bullseye)).ToList();
        Assert.That(keys, Is.EqualTo(new AdvisoryKey?[] { new AdvisoryKey("Debian:11", "sqlite3", "3.34.1-3") }));
    }
}
