using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.AmazonLinux;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.AmazonLinux;

[TestFixture]
public sealed class AmazonLinuxEcosystemTests
{
    private static readonly AmazonLinuxEcosystem Ecosystem = new();

    private static Package Rpm(string name, string version, string type = "rpm") => new()
    {
        Name = name, Version = version, Type = type, SourceName = name + "-src", SourceVersion = "9:9-9",
        Architecture = "x86_64", FilePath = "var/lib/rpm/rpmdb.sqlite", LayerDigest = "sha256:l0",
    };

    [Test]
    public void Shape_reuses_the_rpm_finder_and_order_and_is_in_the_catalog()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.Finders, Is.Empty); // RpmEcosystem's finder reads the database
            Assert.That(Ecosystem.VersionComparer, Is.SameAs(RpmVersionComparer.Instance));
            Assert.That(Ecosystem.PackageType, Is.EqualTo(PackageType.Rpm));
            Assert.That(Ecosystem.DistributionIds, Is.EqualTo(new[] { "amzn" }));
            Assert.That(new RpmEcosystem().DistributionIds, Does.Not.Contain("amzn"));
            Assert.That(EcosystemCatalog.All().OfType<AmazonLinuxEcosystem>().Count(), Is.EqualTo(1));
            Assert.That(EcosystemCatalog.OwnerOf("Amazon Linux"), Is.InstanceOf<AmazonLinuxEcosystem>());
            Assert.That(EcosystemCatalog.FindNativeFeed("alas-updateinfo")?.CreateReader(), Is.InstanceOf<AlasUpdateInfoSource>());
        });
    }

    [TestCase("2023", "Amazon Linux:2023")]
    [TestCase("2022", "Amazon Linux:2022")]
    [TestCase("2", "Amazon Linux:2")]
    [TestCase("2018.03", "Amazon Linux:1")]
    public void Keys_binary_name_and_epoch_version_release_under_the_release(string versionId, string ecosystem)
    {
        var package = Rpm("openssl-libs", "1:3.0.8-1.amzn2023.0.4");
        Assert.That(Ecosystem.AdvisoryKeyFor(package, new Distribution("amzn", versionId, null, null)),
            Is.EqualTo(new AdvisoryKey(ecosystem, "openssl-libs", "1:3.0.8-1.amzn2023.0.4")));
    }

    [TestCase("amzn", "")]
    [TestCase("amzn", "2.0")]
    [TestCase("amzn", "3")]
    [TestCase("amzn", "2021")]    // never released under that number
    [TestCase("amzn", "latest")]
    [TestCase("fedora", "2023")]
    [TestCase("rhel", "2")]
    public void No_key_for_other_distributions_or_unknown_releases(string id, string versionId)
    {
        Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "5.2.15-1.amzn2023.0.2"), new Distribution(id, versionId, null, null)), Is.Null);
    }

    [Test]
    public void No_key_for_other_package_types_or_without_a_distribution()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "5.2.15-1", type: "deb"), new Distribution("amzn", "2023", null, null)), Is.Null);
            Assert.That(Ecosystem.AdvisoryKeyFor(Rpm("bash", "5.2.15-1"), null), Is.Null);
        });
    }

    [TestCase("ALAS2023-2023-001", "2023")]
    [TestCase("ALAS2022-2021-001", "2022")]
    [TestCase("ALAS2-2018-939", "2")]
    [TestCase("ALAS-2018-1093", "1")]
    [TestCase("ALAS2KERNEL-5.10-2022-001", null)] // an Amazon Linux 2 Extras topic
    [TestCase("ALAS2DOCKER-2023-027", null)]
    [TestCase("ALAS2023-2023", null)]
    [TestCase("ALAS2021-2021-001", null)]
    [TestCase("RHSA-2023:0001", null)]
    [TestCase("ALAS2023-2023-001-x", null)]
    public void The_release_of_an_advisory_is_its_id_prefix(string id, string? release)
    {
        Assert.That(AmazonLinuxEcosystem.ReleaseOfAdvisoryId(id), Is.EqualTo(release));
    }

    [Test]
    public void Feed_and_keys_agree_on_the_ecosystem_name()
    {
        foreach (var (versionId, id) in new[] { ("2023", "ALAS2023-2023-001"), ("2022", "ALAS2022-2021-001"), ("2", "ALAS2-2018-939"), ("2018.03", "ALAS-2018-1093") })
            Assert.That(AmazonLinuxEcosystem.OsvEcosystemOf(versionId), Is.EqualTo(AmazonLinuxEcosystem.OsvEcosystemPrefix + AmazonLinuxEcosystem.ReleaseOfAdvisoryId(id)));
    }
}
