using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.Oracle;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Oracle;

[TestFixture]
public sealed class OracleLinuxEcosystemTests
{
    private static readonly OracleLinuxEcosystem Ecosystem = new();

    private static Package Rpm(string name, string version, string type = "rpm") => new()
    {
        Name = name, Version = version, Type = type, SourceName = name + "-src", SourceVersion = "9:9-9",
        Architecture = "x86_64", FilePath = "var/lib/rpm/Packages", LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape_reuses_the_rpm_finder_and_order_and_is_in_the_catalog()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Finders, Is.Empty);
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(RpmVersionComparer.Instance));
            Assert.That(Ecosystem.PackageType, Is.EqualTo(PackageType.Rpm));
            Assert.That(Ecosystem.DistributionIds, Is.EqualTo(new[] { "ol" }));
            Assert.That(new RpmEcosystem().DistributionIds, Does.Not.Contain("ol"));
            Assert.That(EcosystemCatalog.All().OfType<OracleLinuxEcosystem>().Count(), Is.EqualTo(1));
            Assert.That(EcosystemCatalog.OwnerOf("Oracle Linux"), Is.InstanceOf<OracleLinuxEcosystem>());
            Assert.That(EcosystemCatalog.FindNativeFeed("oracle-oval")?.CreateReader(), Is.InstanceOf<OracleOvalSource>());
            Assert.That(EcosystemCatalog.FindNativeFeedByUrlKind("oracle-oval-url")?.Name, Is.EqualTo("oracle-oval"));
        });
    }

    [TestCase("8.9", "Oracle Linux:8")]
    [TestCase("8", "Oracle Linux:8")]
    [TestCase("9.3", "Oracle Linux:9")]
    [TestCase("7.9", "Oracle Linux:7")]
    public void Keys_binary_name_and_epoch_version_release_under_the_major(string versionId, string ecosystem)
    {
        Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("openssl-libs", "1:1.1.1k-12.el8_9"), new Distribution("ol", versionId, null, null)),
            Is.EqualTo(new AdvisoryKey(ecosystem, "openssl-libs", "1:1.1.1k-12.el8_9")));
    }

    [TestCase("ol", "")]
    [TestCase("ol", "8.x")]
    [TestCase("ol", "eight")]
    [TestCase("rhel", "8.9")]
    [TestCase("almalinux", "8.9")]
    public void No_key_for_other_distributions_or_unreadable_versions(string id, string versionId)
    {
        Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "4.4.20-4.el8_6"), new Distribution(id, versionId, null, null)), Is.Null);
    }

    [Test]
    public void No_key_for_other_package_types_or_without_a_distribution()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "4.4.20-4.el8_6", type: "deb"), new Distribution("ol", "8.9", null, null)), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "4.4.20-4.el8_6"), null), Is.Null);
        });
    }
}
