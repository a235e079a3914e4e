using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Distributions;

/// <summary>
/// The code's end-of-life table, one case per OS ecosystem's distributions: an os-release VERSION_ID finds its release by leading
/// dotted components (the longest winning) and the dates are endoflife.date's.
/// </summary>
[TestFixture]
public sealed class DistributionSupportTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);

    [TestCase("debian", "10", "10", "buster", "2024-06-30", null, true, TestName = "Debian 10: LTS ended")]
    [TestCase("debian", "12", "12", "bookworm", "2028-06-10", null, false, TestName = "Debian 12: LTS runs")]
    [TestCase("ubuntu", "22.04", "22.04", "jammy", "2027-04-01", "2032-04-09", false, TestName = "Ubuntu 22.04: standard, then ESM")]
    [TestCase("ubuntu", "18.04", "18.04", "bionic", "2023-05-31", "2028-04-01", true, TestName = "Ubuntu 18.04: only ESM left")]
    [TestCase("alpine", "3.19.1", "3.19", null, "2025-11-01", null, true, TestName = "Alpine 3.19.1 is branch 3.19")]
    [TestCase("alpine", "3.20.3", "3.20", null, "2026-04-01", null, true, TestName = "Alpine 3.20.3 is 3.20, not 3.2")]
    [TestCase("rhel", "8.9", "8", null, "2029-05-31", "2032-05-31", false, TestName = "RHEL/UBI 8.9 is 8")]
    [TestCase("centos", "7", "7", null, "2024-06-30", null, true, TestName = "CentOS 7")]
    [TestCase("rocky", "9.3", "9", null, "2032-05-31", null, false, TestName = "Rocky 9.3 is 9")]
    [TestCase("almalinux", "8.10", "8", null, "2029-03-01", null, false, TestName = "AlmaLinux 8.10 is 8")]
    [TestCase("fedora", "39", "39", null, "2024-11-26", null, true, TestName = "Fedora 39")]
    [TestCase("amzn", "2", "2", null, "2025-06-30", null, true, TestName = "Amazon Linux 2")]
    [TestCase("amzn", "2023", "2023", null, "2028-03-15", null, false, TestName = "Amazon Linux 2023 is not 2")]
    [TestCase("ol", "8.9", "8", null, "2029-07-01", "2031-07-01", false, TestName = "Oracle Linux 8.9 is 8")]
    [TestCase("sles", "15.5", "15.5", null, "2024-12-31", "2027-12-31", true, TestName = "SLES 15 SP5: general support ended, LTSS runs")]
    [TestCase("opensuse-leap", "15.5", "15.5", null, "2024-12-31", null, true, TestName = "openSUSE Leap 15.5")]
    public void FindsTheReleaseAndItsEnd(string id, string versionId, string release, string? codename, string end, string? extended, bool endOfLife)
    {
        var found = DistributionSupport.Code.ReleaseOf(new Distribution(id, versionId, null, null));

        Assert.That(found, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(found!.Version, Is.EqualTo(release));
            Assert.That(found.Codename, Is.EqualTo(codename));
            Assert.That(found.EndOfSecuritySupport, Is.EqualTo(DateOnly.Parse(end)));
            Assert.That(found.ExtendedSupportEnd, Is.EqualTo(extended is null ? null : DateOnly.Parse(extended)));
            Assert.That(found.IsEndOfLifeOn(Today), Is.EqualTo(endOfLife));
        });
    }

    [TestCase("wolfi", "20230201", TestName = "Wolfi is rolling")]
    [TestCase("sles", "15.7", TestName = "A release the table lacks is unknown, not its major's GA")]
    [TestCase("debian", "", TestName = "Debian sid has no VERSION_ID")]
    [TestCase("arch", "1", TestName = "An unknown distribution")]
    public void UnknownReleasesHaveNoEnd(string id, string versionId) =>
        Assert.That(DistributionSupport.Code.ReleaseOf(id, versionId), Is.Null);

    [Test]
    public void EveryOsEcosystemListsOnlyItsOwnDistributionsReleases()
    {
        foreach (var ecosystem in EcosystemCatalog.All())
            Assert.That(ecosystem.Releases.Select(r => r.DistributionId).Distinct(), Is.SubsetOf(ecosystem.DistributionIds), ecosystem.Name);
        var listing = EcosystemCatalog.All().Where(e => e.Releases.Count > 0).Select(e => e.Name).ToList();
        Assert.That(listing, Is.EquivalentTo(new[] { "debian", "ubuntu", "alpine", "rpm", "redhat-baseos", "amazon-linux", "opensuse", "suse-product", "oracle-linux" }));
    }

    [Test]
    public void TheLastDayOfSupportIsNotYetEndOfLife()
    {
        var buster = DistributionSupport.Code.ReleaseOf("debian", "10")!;
        Assert.That(buster.IsEndOfLifeOn(new DateOnly(2024, 6, 30)), Is.False);
        Assert.That(buster.IsEndOfLifeOn(new DateOnly(2024, 7, 1)), Is.True);
    }

    [Test]
    public void TheWarningUsesTrivysWords()
    {
        var buster = new Distribution("debian", "10.13", "buster", "Debian GNU/Linux 10 (buster)");
        var warning = EndOfLifeWarning.For(buster, DistributionSupport.Code.ReleaseOf(buster), Today);

        Assert.That(warning, Is.EqualTo(new ScanWarning("etc/os-release",
            "This OS version is no longer supported by the distribution: debian 10.13. "
            + "The vulnerability detection may be insufficient because security updates are not provided")));
        var bookworm = new Distribution("debian", "12", "bookworm", null);
        Assert.That(EndOfLifeWarning.For(bookworm, DistributionSupport.Code.ReleaseOf(bookworm), Today), Is.Null);
    }
}
