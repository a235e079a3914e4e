using System.Text;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.RedHat;

[TestFixture]
public sealed class RedHatEcosystemTests
{
    internal static string UbiMinimal(params string[] path) => Corpus.PathOf(["inventory", "rpm", "rhel-8.0-ubi-minimal-scancode", .. path]);

    private static readonly Distribution Rhel8 = new("rhel", "8.6", null, "Red Hat Enterprise Linux 8.6 (Ootpa)");
    private static readonly IReadOnlyList<IEcosystem> RedHat = RedHatEcosystem.All();

    private static Package Rpm(string name, string version, string? vendor = "Red Hat, Inc.", IReadOnlyList<string>? contentSets = null) => new()
    {
        Name = name, Version = version, Type = "rpm", Vendor = vendor, ContentSets = contentSets,
        FilePath = "var/lib/rpm/Packages", LayerDigest = "sha256:l0",
    };

    private static List<AdvisoryKey> Keys(Package package, Distribution? distribution) =>
        RedHat.Select(e => e.AdvisoryKeyFor(package, distribution)).OfType<AdvisoryKey>().ToList();

    [Test]
    public void Shape_keys_rpm_packages_the_rpm_finder_finds()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RedHat.Select(e => e.Name), Is.Unique);
            Assert.That(RedHat.SelectMany(e => e.Finders), Is.Empty); // the rpm ecosystem's finder finds them
            Assert.That(RedHat.Select(e => e.PackageType), Is.All.EqualTo(PackageType.Rpm));
            Assert.That(RedHat.Select(e => e.VersionComparer), Is.All.SameAs(RedHatVersionComparer.Instance));
            Assert.That(RedHat.SelectMany(e => e.DistributionIds), Is.EqualTo(new[] { "rhel" }));
            Assert.That(RedHat.SelectMany(e => e.NativeFeeds).Select(f => f.Name), Is.EqualTo(new[] { "redhat-csaf", "redhat-vex" }));
            Assert.That(new RpmEcosystem().DistributionIds, Does.Not.Contain("rhel"));
            Assert.That(EcosystemCatalog.OwnerOf("Red Hat"), Is.InstanceOf<RedHatEcosystem>());
        });
    }

    /// <summary>CveFeed and the CLI find the formats through the catalog, and every ecosystem they write is keyed by it.</summary>
    [TestCase("redhat-csaf", "native", "redhat-csaf", "rhsa-2024_4546.json")]
    [TestCase("redhat-vex", "native", "redhat-vex", "cve-2023-38545.json")]
    public async Task The_catalog_finds_the_native_feeds_and_owns_their_ecosystems(string format, params string[] corpusPath)
    {
        Assert.That(EcosystemCatalog.FindNativeFeedByUrlKind(format + "-url")?.Name, Is.EqualTo(format));
        await using var file = File.OpenRead(Corpus.PathOf(corpusPath));
        var feed = await EcosystemCatalog.FindNativeFeed(format)!.CreateReader().ReadAsync(file);
        var ecosystems = feed.Advisories.SelectMany(a => a.Advisory.Affected).Select(a => a.Package!.Ecosystem).Distinct().ToList();
        Assert.That(ecosystems, Is.Not.Empty);
        foreach (var ecosystem in ecosystems)
            Assert.That(EcosystemCatalog.OwnerOf(AdvisoryPackageNames.BaseEcosystem(ecosystem)), Is.InstanceOf<RedHatEcosystem>(), ecosystem);
    }

    [Test]
    public void Without_a_manifest_a_package_is_keyed_under_baseos_appstream_and_the_release()
    {
        var package = Rpm("openssl-libs", "1:1.1.1k-7.el8_6");
        Assert.That(Keys(package, Rhel8), Is.EqualTo(new[]
        {
            new AdvisoryKey("Red Hat:enterprise_linux:8::baseos", "openssl-libs", "1:1.1.1k-7.el8_6"),
            new AdvisoryKey("Red Hat:enterprise_linux:8::appstream", "openssl-libs", "1:1.1.1k-7.el8_6"),
            new AdvisoryKey("Red Hat:enterprise_linux:8", "openssl-libs", "1:1.1.1k-7.el8_6"),
        }));
    }

    [Test]
    public void With_content_sets_a_package_is_keyed_under_their_streams_only()
    {
        var package = Rpm("git-lfs", "2.13.3-2.el8", contentSets: ["rhel-8-for-x86_64-appstream-e4s-rpms", "rhel-8-for-x86_64-baseos-e4s-rpms",
            "codeready-builder-for-rhel-8-x86_64-rpms"]);
        Assert.That(Keys(package, Rhel8).Select(k => k.Ecosystem), Is.EqualTo(new[]
        {
            "Red Hat:rhel_e4s:8.6::baseos", "Red Hat:rhel_e4s:8.6::appstream", "Red Hat:enterprise_linux:8::crb", "Red Hat:enterprise_linux:8",
        }));
    }

    [Test]
    public void Only_red_hat_rpms_on_rhel_are_keyed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Keys(Rpm("htop", "3.2.1-1.el8", vendor: "Fedora Project"), Rhel8), Is.Empty, "EPEL's build");
            Assert.That(Keys(Rpm("custom", "1.0-1", vendor: null), Rhel8), Is.Empty, "no VENDOR tag");
            Assert.That(Keys(Rpm("gpg-pubkey", "fd431d51-4ae0493b"), Rhel8), Is.Empty);
            Assert.That(Keys(Rpm("bash", "4.4.19-7.el8") with { Type = "deb" }, Rhel8), Is.Empty);
            Assert.That(Keys(Rpm("bash", "4.4.19-7.el8"), new Distribution("centos", "8", null, null)), Is.Empty);
            Assert.That(Keys(Rpm("bash", "4.4.19-7.el8"), null), Is.Empty);
            // And the generic rpm ecosystem no longer keys RHEL.
            Assert.That(new RpmEcosystem().AdvisoryKeyFor(Rpm("bash", "4.4.19-7.el8"), Rhel8), Is.Null);
        });
    }

    [Test]
    public void The_ubi_minimal_database_gives_red_hat_packages_with_vendor_and_layer_content_sets()
    {
        var manifest = """{"metadata": {"icm_version": 1, "image_layer_index": 0}, "content_sets": ["rhel-8-for-x86_64-baseos-rpms", "rhel-8-for-x86_64-appstream-rpms"], "image_contents": []}""";
        var base0 = new LayerFiles
        {
            Digest = "sha256:base",
            Files = new Dictionary<string, byte[]>
            {
                ["var/lib/rpm/Packages"] = File.ReadAllBytes(UbiMinimal("var", "lib", "rpm", "Packages")),
                ["root/buildinfo/content_manifests/ubi8-minimal-container-8.0-213.json"] = Encoding.UTF8.GetBytes(manifest),
            },
        };
        var packages = new RpmFinder().Find(new ImageFiles([base0]), null).ToList();
        var expected = File.ReadAllLines(UbiMinimal("expected-packages.tsv")).Skip(1).Count(l => !l.StartsWith("gpg-pubkey\t", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(packages, Has.Count.EqualTo(expected));
            Assert.That(packages.Select(p => p.Vendor).Distinct(), Is.EqualTo(new[] { "Red Hat, Inc." }));
            Assert.That(packages.Select(p => p.ContentSets), Is.All.EqualTo(new[] { "rhel-8-for-x86_64-baseos-rpms", "rhel-8-for-x86_64-appstream-rpms" }));
            Assert.That(packages.Where(p => p.ModularityLabel is not null), Is.Empty, "ubi-minimal 8.0 has no module rpms");
            Assert.That(packages.Count(RedHatEcosystem.IsRedHatRpm), Is.EqualTo(expected));
        });
    }
}
