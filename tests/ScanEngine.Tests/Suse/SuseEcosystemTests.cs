using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Ecosystems.Suse;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Suse;

[TestFixture]
public sealed class SuseEcosystemTests
{
    private static readonly IReadOnlyList<IEcosystem> Suse = SuseEcosystems.All();

    private static Package Rpm(string name, string version, string type = "rpm") => new()
    {
        Name = name, Version = version, Type = type, SourceName = "src-" + name, SourceVersion = "9-9",
        Architecture = "x86_64", FilePath = "usr/lib/sysimage/rpm/Packages.db", LayerDigest = "sha256:l0",
    };

    private static string?[] KeysOf(string id, string versionId, Package? package = null) =>
        Suse.Select(e => e.AdvisoryKeyFor(package ?? Rpm("libz1", "1.2.11-3.21.1"), new Distribution(id, versionId, null, null)))
            .Where(k => k is not null).Select(k => k!.Value.Ecosystem).ToArray();

    [Test]
    public void Shape_reuses_the_rpm_finder_and_order_and_is_in_the_catalog()
    {
        Assert.Multiple(() =>
        {
            foreach (var e in Suse)
            {
                Assert.That(e.Finders, Is.Empty, e.Name);
                Assert.That(e.VersionComparer, Is.SameAs(RpmVersionComparer.Instance), e.Name);
                Assert.That(e.PackageType, Is.EqualTo(PackageType.Rpm), e.Name);
            }
            Assert.That(Suse.Select(e => e.Name), Is.EqualTo(new[] { "opensuse", "suse-product", "suse-basesystem", "suse-applications", "suse-ltss" }));
            Assert.That(Suse.SelectMany(e => e.DistributionIds), Is.EquivalentTo(new[] { "opensuse-leap", "opensuse-tumbleweed", "sles", "sled" }));
            Assert.That(new RpmEcosystem().DistributionIds, Has.None.AnyOf("sles", "sled", "opensuse-leap", "opensuse-tumbleweed"));
            var catalog = EcosystemCatalog.All().Select(e => e.Name).ToList();
            Assert.That(Suse.Select(e => e.Name), Is.SubsetOf(catalog));
            Assert.That(EcosystemCatalog.OwnerOf("SUSE"), Is.InstanceOf<SuseEnterpriseEcosystem>());
            Assert.That(EcosystemCatalog.OwnerOf("openSUSE"), Is.InstanceOf<OpenSuseEcosystem>());
        });
    }

    [Test]
    public void A_SLES_package_is_keyed_under_the_server_its_common_modules_and_LTSS_by_binary_name()
    {
        var package = Rpm("libopenssl3", "3.0.8-150500.5.8.1");
        var keys = Suse.Select(e => e.AdvisoryKeyFor(package, new Distribution("sles", "15.5", null, null))).Where(k => k is not null).ToList();
        Assert.That(keys, Is.EqualTo(new AdvisoryKey?[]
        {
            new AdvisoryKey("SUSE:Linux Enterprise Server 15 SP5", "libopenssl3", "3.0.8-150500.5.8.1"),
            new AdvisoryKey("SUSE:Linux Enterprise Module for Basesystem 15 SP5", "libopenssl3", "3.0.8-150500.5.8.1"),
            new AdvisoryKey("SUSE:Linux Enterprise Module for Server Applications 15 SP5", "libopenssl3", "3.0.8-150500.5.8.1"),
            new AdvisoryKey("SUSE:Linux Enterprise Server 15 SP5 LTSS", "libopenssl3", "3.0.8-150500.5.8.1"),
        }));
    }

    [Test]
    public void Service_packs_desktop_and_SLE_12()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KeysOf("sles", "15"), Is.EqualTo(new[]
            {
                "SUSE:Linux Enterprise Server 15", "SUSE:Linux Enterprise Module for Basesystem 15",
                "SUSE:Linux Enterprise Module for Server Applications 15", "SUSE:Linux Enterprise Server 15 LTSS",
            }));
            Assert.That(KeysOf("sled", "15.4"), Is.EqualTo(new[]
            {
                "SUSE:Linux Enterprise Desktop 15 SP4", "SUSE:Linux Enterprise Module for Basesystem 15 SP4",
                "SUSE:Linux Enterprise Module for Desktop Applications 15 SP4",
            }));
            // SLE 12 has no Basesystem / Server Applications modules: its records name the product.
            Assert.That(KeysOf("sles", "12.5"), Is.EqualTo(new[] { "SUSE:Linux Enterprise Server 12 SP5", "SUSE:Linux Enterprise Server 12 SP5 LTSS" }));
        });
    }

    [TestCase("opensuse-leap", "15.5", "openSUSE:Leap 15.5")]
    [TestCase("opensuse-tumbleweed", "20240801", "openSUSE:Tumbleweed")]
    public void OpenSUSE_keys_moved_here_unchanged(string id, string versionId, string ecosystem)
    {
        // What RpmEcosystem keyed before (RpmEcosystemTests' former cases): binary name and version.
        var package = Rpm("openssl-libs", "1:3.0.7-24.el9");
        Assert.That(KeysOf(id, versionId, package), Is.EqualTo(new[] { ecosystem }));
        Assert.That(new OpenSuseEcosystem().AdvisoryKeyFor(package, new Distribution(id, versionId, null, null)),
            Is.EqualTo(new AdvisoryKey(ecosystem, "openssl-libs", "1:3.0.7-24.el9")));
    }

    [TestCase("sles", "")]
    [TestCase("sles", "15.5.1")]
    [TestCase("sles", "SP5")]
    [TestCase("sles", "9")]
    [TestCase("opensuse-leap", "")]
    [TestCase("sle-micro", "5.5")]
    [TestCase("rhel", "15.5")]
    public void No_key_for_unknown_versions_or_other_distributions(string id, string versionId)
    {
        Assert.That(KeysOf(id, versionId), Is.Empty);
    }

    [Test]
    public void No_key_for_other_package_types_or_without_a_distribution()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KeysOf("sles", "15.5", Rpm("bash", "4.4-9.6.1", type: "deb")), Is.Empty);
            Assert.That(Suse.Select(e => e.AdvisoryKeyFor(Rpm("bash", "4.4-9.6.1"), null)), Has.All.Null);
        });
    }
}
