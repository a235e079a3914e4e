using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Ecosystems;

/// <summary>
/// What each ecosystem owns is looked up through the catalog: its package type (purl, OS-ness, Inspector's packageManager),
/// its advisory ecosystems' name rule and its vendor's native feeds. These hold the pieces together.
/// </summary>
public sealed class EcosystemCatalogTests
{
    private static readonly IReadOnlyList<IEcosystem> Catalog = EcosystemCatalog.All();

    [Test]
    public void Every_package_type_is_keyed_by_an_ecosystem_and_every_ecosystem_keys_a_listed_type()
    {
        Assert.Multiple(() =>
        {
            foreach (var ecosystem in Catalog)
                Assert.That(PackageType.All, Does.Contain(ecosystem.PackageType), ecosystem.Name);
            foreach (var type in PackageType.All)
                Assert.That(Catalog.Any(e => e.PackageType == type), type.Id);
        });
    }

    [Test]
    public void Os_ecosystems_key_os_package_types_and_name_the_distributions_they_cover()
    {
        Assert.Multiple(() =>
        {
            foreach (var ecosystem in Catalog)
            {
                Assert.That(ecosystem.PackageType.IsOperatingSystem, Is.EqualTo(ecosystem.IsOperatingSystem), ecosystem.Name);
                if (!ecosystem.IsOperatingSystem) Assert.That(ecosystem.DistributionIds, Is.Empty, ecosystem.Name);
            }
            // An os-release ID names one kind of package database.
            var typesById = Catalog.SelectMany(e => e.DistributionIds.Select(id => (id, e.PackageType))).GroupBy(x => x.id);
            foreach (var group in typesById)
                Assert.That(group.Select(x => x.PackageType).Distinct().Count(), Is.EqualTo(1), group.Key);
        });
    }

    [Test]
    public void Every_os_package_type_has_a_finder_that_says_where_its_database_is()
    {
        foreach (var type in PackageType.All.Where(t => t.IsOperatingSystem))
            Assert.That(Catalog.Where(e => e.PackageType == type).SelectMany(e => e.Finders).Select(f => f.DatabaseLocation),
                Has.Some.Not.Null, type.Id);
    }

    /// <summary>Inspector's PackageManager enum (docs/ecosystems.md): OS for every OS package, one value per language manager.</summary>
    [Test]
    public void Inspector_package_managers_are_values_of_inspectors_enum()
    {
        string[] inspector = ["OS", "BUNDLER", "CARGO", "COMPOSER", "NPM", "NUGET", "PIPENV", "POETRY", "YARN", "GOBINARY", "GOMOD",
            "JAR", "PIP", "PYTHONPKG", "NODEPKG", "POM", "GEMSPEC", "DOTNET_CORE"];
        Assert.Multiple(() =>
        {
            foreach (var type in PackageType.All)
                Assert.That(inspector, Does.Contain(type.InspectorPackageManager), type.Id);
            Assert.That(PackageType.InspectorPackageManagerOf("rpm"), Is.EqualTo("OS"));
            Assert.That(PackageType.InspectorPackageManagerOf("pypi"), Is.EqualTo("PYTHONPKG"));
            Assert.That(PackageType.InspectorPackageManagerOf("swift"), Is.EqualTo("SWIFT"), "a type no finder reports keeps its name");
        });
    }

    /// <summary>The purl specification's own examples (github.com/package-url/purl-spec, PURL-TYPES.rst), one per type.</summary>
    [TestCase("deb", "curl", "7.50.3-1", "i386", "debian", "8", "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=debian-8")]
    [TestCase("rpm", "curl", "7.50.3-1.fc25", "i386", "fedora", "25", "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25")]
    [TestCase("apk", "curl", "7.83.0-r0", "x86", "alpine", "3.16", "pkg:apk/alpine/curl@7.83.0-r0?arch=x86&distro=alpine-3.16")]
    [TestCase("maven", "org.apache.xmlgraphics:batik-anim", "1.9.1", null, null, null, "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1")]
    [TestCase("npm", "@angular/animation", "12.3.1", null, null, null, "pkg:npm/%40angular/animation@12.3.1")]
    [TestCase("npm", "foobar", "12.3.1", null, null, null, "pkg:npm/foobar@12.3.1")]
    [TestCase("pypi", "Django_package", "1.11.1", null, null, null, "pkg:pypi/django-package@1.11.1")]
    [TestCase("golang", "github.com/gorilla/context", "v1.1.1", null, null, null, "pkg:golang/github.com/gorilla/context@v1.1.1")]
    [TestCase("composer", "laravel/laravel", "5.5.0", null, null, null, "pkg:composer/laravel/laravel@5.5.0")]
    [TestCase("gem", "ruby-advisory-db-check", "0.12.4", null, null, null, "pkg:gem/ruby-advisory-db-check@0.12.4")]
    [TestCase("cargo", "rand", "0.7.2", null, null, null, "pkg:cargo/rand@0.7.2")]
    [TestCase("nuget", "EnterpriseLibrary.Common", "6.0.1304", null, null, null, "pkg:nuget/EnterpriseLibrary.Common@6.0.1304")]
    public void Package_urls_follow_each_types_rule(string type, string name, string version, string? arch, string? distro, string? distroVersion, string expected)
    {
        var package = new Package { Name = name, Version = version, Type = type, Architecture = arch, FilePath = "x", LayerDigest = "sha256:0" };
        var distribution = distro is null ? null : new Distribution(distro, distroVersion!, null, null);
        Assert.That(PackageUrl.For(package, distribution), Is.EqualTo(expected));
    }

    [TestCase("PyPI", "PyYAML", "pyyaml")]
    [TestCase("PyPI", "zope.Interface__x", "zope-interface-x")]
    [TestCase("NuGet", "Newtonsoft.JSON", "newtonsoft.json")]
    [TestCase("Packagist", "Symfony/Console", "symfony/console")]
    [TestCase("Packagist:https://repo.example", "Symfony/Console", "symfony/console")]
    [TestCase("npm", "JSONStream", "JSONStream")]
    [TestCase("Maven", "org.Apache:Foo", "org.Apache:Foo")]
    [TestCase("Debian:12", "Linux", "Linux")]
    [TestCase("Unknown:1", "Mixed_Case", "Mixed_Case")]
    public void Advisory_names_are_compared_by_the_rule_of_the_ecosystem_that_owns_them(string ecosystem, string name, string expected) =>
        Assert.That(AdvisoryPackageNames.Normalize(ecosystem, name), Is.EqualTo(expected));

    [Test]
    public void Native_feed_formats_have_one_name_each_and_read_into_ecosystems_the_catalog_owns()
    {
        var feeds = EcosystemCatalog.NativeFeeds;
        Assert.That(feeds.Select(f => f.Name), Is.Unique);
        Assert.That(feeds.Select(f => f.Name), Is.SupersetOf(new[] { "debian-tracker", "alpine-secdb" }));
        Assert.That(EcosystemCatalog.FindNativeFeedByUrlKind("alpine-secdb-url")?.Name, Is.EqualTo("alpine-secdb"));
        Assert.That(EcosystemCatalog.FindNativeFeed("no-such-feed"), Is.Null);
    }

    [TestCase("debian-tracker", "native", "debian-tracker", "vunnel-debian.json")]
    [TestCase("alpine-secdb", "native", "alpine-secdb", "v3.12-main.json")]
    [TestCase("alpine-secdb", "native", "alpine-secdb", "wolfi-security.json")]
    public async Task A_native_feeds_records_are_keyed_by_an_ecosystem_of_the_catalog(string format, params string[] corpusPath)
    {
        var reader = EcosystemCatalog.FindNativeFeed(format)!.CreateReader();
        await using var file = File.OpenRead(Corpus.PathOf(corpusPath));
        var feed = await reader.ReadAsync(file);
        var ecosystems = feed.Advisories.SelectMany(a => a.Advisory.Affected).Select(a => a.Package?.Ecosystem).OfType<string>().Distinct().ToList();
        Assert.That(ecosystems, Is.Not.Empty);
        foreach (var ecosystem in ecosystems)
            Assert.That(EcosystemCatalog.OwnerOf(AdvisoryPackageNames.BaseEcosystem(ecosystem)), Is.Not.Null, ecosystem);
    }

    /// <summary>Every real sample of every native format is recognised by its own format and by no other, from its first 64 KiB.</summary>
    [TestCase("debian-tracker", "native", "debian-tracker", "vunnel-debian.json")]
    [TestCase("debian-tracker", "native", "debian-tracker", "osvdev-debian_security_tracker_mock.json")]
    [TestCase("alpine-secdb", "native", "alpine-secdb", "v3.12-main.json")]
    [TestCase("alpine-secdb", "native", "alpine-secdb", "v3.15-main.yaml")]
    [TestCase("alpine-secdb", "native", "alpine-secdb", "wolfi-security.json")]
    [TestCase("alpine-secdb", "native", "alpine-secdb", "chainguard-security.json")]
    [TestCase("redhat-csaf", "native", "redhat-csaf", "rhsa-2024_4546.json")]
    [TestCase("redhat-csaf", "native", "redhat-csaf", "rhsa-2003_315.json")]
    [TestCase("redhat-vex", "native", "redhat-vex", "cve-2023-38545.json")]
    [TestCase("alas-updateinfo", "native", "amazon-linux", "updateinfo", "updateinfo_AL2023.xml.gz")]
    [TestCase("alas-updateinfo", "native", "amazon-linux", "updateinfo", "updateinfo_2_items.xml.gz")]
    [TestCase(null, "native", "amazon-linux", "updateinfo", "repomd.xml")]
    [TestCase(null, "osv", "redhat", "RHSA-2024_4546.json")]
    [TestCase(null, "native", "debian-tracker", "vunnel-DSA-list.txt")]
    public void A_native_document_is_recognised_by_its_own_format_alone(string? format, params string[] corpusPath)
    {
        using var file = File.OpenRead(Corpus.PathOf(corpusPath));
        using var content = FeedCompression.DecompressSniffed(file);
        var head = new byte[NativeFeedFormat.HeadLength];
        var read = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var text = System.Text.Encoding.UTF8.GetString(head, 0, read);
        Assert.That(EcosystemCatalog.NativeFeeds.Where(f => f.Recognizes(text)).Select(f => f.Name),
            format is null ? Is.Empty : Is.EqualTo(new[] { format }));
    }
}
