using ImageScanning.ScanEngine.Ecosystems.RedHat;

namespace ImageScanning.ScanEngine.Tests.RedHat;

/// <summary>
/// Content set (repository id) to OSV ecosystem, by the documented shape of Red Hat's repository ids; the expected
/// ecosystems are the ones Red Hat's records use ("Red Hat:enterprise_linux:8::appstream", "Red Hat:rhel_e4s:8.6::appstream"
/// in the corpus's RHSA-2024:4546 and RHSA-2024:6220).
/// </summary>
[TestFixture]
public sealed class RedHatContentSetsTests
{
    [TestCase("rhel-8-for-x86_64-baseos-rpms", "8.9", "baseos", "Red Hat:enterprise_linux:8::baseos")]
    [TestCase("rhel-8-for-x86_64-appstream-rpms", "8.9", "appstream", "Red Hat:enterprise_linux:8::appstream")]
    [TestCase("rhel-9-for-aarch64-appstream-source-rpms", "9.4", "appstream", "Red Hat:enterprise_linux:9::appstream")]
    [TestCase("rhel-9-for-x86_64-baseos-debug-rpms", "9.4", "baseos", "Red Hat:enterprise_linux:9::baseos")]
    [TestCase("codeready-builder-for-rhel-9-x86_64-rpms", "9.4", "crb", "Red Hat:enterprise_linux:9::crb")]
    [TestCase("codeready-builder-for-rhel-8-x86_64-eus-rpms", "8.8", "crb", "Red Hat:rhel_eus:8.8::crb")]
    [TestCase("rhel-8-for-x86_64-appstream-e4s-rpms", "8.6", "appstream", "Red Hat:rhel_e4s:8.6::appstream")]
    [TestCase("rhel-8-for-x86_64-appstream-aus-rpms", "8.6", "appstream", "Red Hat:rhel_aus:8.6::appstream")]
    [TestCase("rhel-8-for-x86_64-appstream-tus-rpms", "8.6", "appstream", "Red Hat:rhel_tus:8.6::appstream")]
    [TestCase("rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_2", "9.2", "baseos", "Red Hat:rhel_eus:9.2::baseos")]
    [TestCase("rhel-8-for-x86_64-highavailability-rpms", "8.9", "highavailability", "Red Hat:enterprise_linux:8::highavailability")]
    [TestCase("rhel-8-for-x86_64-rt-rpms", "8.9", "realtime", "Red Hat:enterprise_linux:8::realtime")]
    [TestCase("ubi-8-baseos-rpms", "8.9", "baseos", "Red Hat:enterprise_linux:8::baseos")]
    [TestCase("ubi-9-codeready-builder-rpms", "9.4", "crb", "Red Hat:enterprise_linux:9::crb")]
    [TestCase("ubi-9-for-x86_64-appstream-rpms", "9.4", "appstream", "Red Hat:enterprise_linux:9::appstream")]
    [TestCase("rhel-7-server-rpms", "7.9", "server", "Red Hat:enterprise_linux:7::server")]
    [TestCase("rhel-7-server-optional-rpms", "7.9", "server", "Red Hat:enterprise_linux:7::server")]
    [TestCase("rhel-7-server-eus-rpms", "7.7", "server", "Red Hat:rhel_eus:7.7::server")]
    [TestCase("rhel-10-for-x86_64-appstream-rpms", "10.0", "appstream", "Red Hat:enterprise_linux:10.0")]
    [TestCase("rhel-10-for-x86_64-baseos-e4s-rpms", "10.0", "baseos", "Red Hat:rhel_e4s:10.0")]
    public void Content_sets_map_to_the_ecosystems_of_their_product_and_channel(string contentSet, string versionId, string channel, string ecosystem) =>
        Assert.That(RedHatContentSets.Map(contentSet, versionId), Is.EqualTo(new RedHatStream(channel, ecosystem)));

    [TestCase("rhel-8-for-x86_64-baseos-rpms", "9.4")] // another major release than the image
    [TestCase("rhel-8-for-x86_64-baseos-eus-rpms", "8")] // an EUS stream needs the minor release
    [TestCase("rhel-7-server-extras-rpms", "7.9")] // add-on products have CPEs of their own
    [TestCase("rhel-8-for-x86_64-sap-solutions-rpms", "8.9")]
    [TestCase("rhel-8-for-x86_64-baseos-xyz-rpms", "8.9")]
    [TestCase("epel-8-x86_64", "8.9")]
    [TestCase("rhel-8-for-x86_64-baseos-rpms", "")]
    public void Other_content_sets_map_to_nothing(string contentSet, string versionId) =>
        Assert.That(RedHatContentSets.Map(contentSet, versionId), Is.Null);

    [Test]
    public void Without_a_mapped_content_set_packages_are_keyed_under_the_releases_main_streams()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RedHatContentSets.StreamsOf(null, "8.0").Select(s => s.Ecosystem),
                Is.EqualTo(new[] { "Red Hat:enterprise_linux:8::baseos", "Red Hat:enterprise_linux:8::appstream" }));
            Assert.That(RedHatContentSets.StreamsOf(["epel-8-x86_64"], "9.4").Select(s => s.Ecosystem),
                Is.EqualTo(new[] { "Red Hat:enterprise_linux:9::baseos", "Red Hat:enterprise_linux:9::appstream" }));
            Assert.That(RedHatContentSets.StreamsOf(null, "7.9").Select(s => s.Ecosystem), Is.EqualTo(new[] { "Red Hat:enterprise_linux:7::server" }));
            Assert.That(RedHatContentSets.StreamsOf(null, "10.1").Select(s => s.Ecosystem).Distinct(), Is.EqualTo(new[] { "Red Hat:enterprise_linux:10.1" }));
            Assert.That(RedHatContentSets.StreamsOf(null, "rawhide"), Is.Empty);
            // A manifest's own streams replace the defaults, in its order, without repeats.
            Assert.That(RedHatContentSets.StreamsOf(["rhel-8-for-x86_64-appstream-rpms", "rhel-8-for-x86_64-appstream-source-rpms", "epel-8-x86_64"], "8.9"),
                Is.EqualTo(new[] { new RedHatStream("appstream", "Red Hat:enterprise_linux:8::appstream") }));
            Assert.That(RedHatContentSets.ReleaseEcosystem("8.0"), Is.EqualTo("Red Hat:enterprise_linux:8"));
        });
    }
}
