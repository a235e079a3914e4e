using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScannerCore;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// The re-scan index keys an image by every advisory key its packages have, as the engine's ecosystems give them: an advisory
/// filed under any of them (Ubuntu Pro, a RHEL stream, a binary rpm name) finds the image, not just one under the first key.
/// </summary>
public sealed class AdvisoryKeyIndexTests
{
    private static readonly IReadOnlyList<IEcosystem> Catalog = EcosystemCatalog.All();

    private static Package Package(string type, string name, string version, string? source = null, string? vendor = null) => new()
    {
        Name = name, Version = version, Type = type, SourceName = source, Vendor = vendor, FilePath = "var/lib/db", LayerDigest = "sha256:" + new string('a', 64),
    };

    [Test]
    public void An_ubuntu_package_is_indexed_under_the_standard_archive_and_ubuntu_pro_by_its_source()
    {
        var ubuntu = new Distribution("ubuntu", "22.04", "jammy", "Ubuntu 22.04.4 LTS");
        var record = Package("deb", "libssl3", "3.0.2-0ubuntu1.15", source: "openssl").ToRecord(ubuntu, Catalog);

        Assert.That(record.Ecosystem, Is.EqualTo("Ubuntu:22.04:LTS"));
        Assert.That(ImagePackageKey.FromPackages([record]), Is.EquivalentTo(new[]
        {
            new ImagePackageKey("Ubuntu:22.04:LTS", "openssl"), new ImagePackageKey("Ubuntu:Pro:22.04:LTS", "openssl"),
        }));
    }

    [Test]
    public void A_red_hat_rpm_is_indexed_under_every_stream_it_may_come_from_by_its_binary_name()
    {
        var rhel = new Distribution("rhel", "9.4", null, "Red Hat Enterprise Linux 9.4 (Plow)");
        var record = Package("rpm", "libcurl", "7.76.1-29.el9_4", source: "curl", vendor: "Red Hat, Inc.").ToRecord(rhel, Catalog);
        var keys = ImagePackageKey.FromPackages([record]);

        Assert.That(keys, Has.Count.GreaterThan(1), string.Join(", ", keys));
        Assert.That(keys, Has.Member(new ImagePackageKey("Red Hat:enterprise_linux:9::baseos", "libcurl")));
        Assert.That(keys, Has.Member(new ImagePackageKey("Red Hat:enterprise_linux:9::appstream", "libcurl")));
        Assert.That(keys.Select(k => k.Name), Is.All.EqualTo("libcurl"), "Red Hat files advisories under binary rpm names");
    }

    [Test]
    public void An_inventory_sent_before_packages_carried_their_keys_is_indexed_by_its_one_ecosystem_and_source()
    {
        var legacy = new PackageRecord("libssl3", "3.0.11-1", "deb", "Debian:12", "openssl", "3.0.11-1", "amd64", "var/lib/dpkg/status", "sha256:0");
        Assert.That(ImagePackageKey.FromPackages([legacy]), Is.EqualTo(new[] { new ImagePackageKey("Debian:12", "openssl") }));
    }

    [Test]
    public void A_finding_reports_its_package_without_the_index_keys()
    {
        var ubuntu = new Distribution("ubuntu", "22.04", "jammy", "Ubuntu 22.04.4 LTS");
        var match = new VulnerabilityMatch("UBUNTU-CVE-2024-0001", [], Severity.High, "openssl", null, "https://ubuntu.com/security/CVE-2024-0001",
            null, null, null, Package("deb", "libssl3", "3.0.2-0ubuntu1.15", source: "openssl"));
        var finding = match.ToFinding(ScanType.BASIC, ubuntu, Catalog);
        Assert.That(finding.Package.AdvisoryKeys, Is.Null);
        Assert.That(finding.Package.Ecosystem, Is.EqualTo("Ubuntu:22.04:LTS"));
    }
}
