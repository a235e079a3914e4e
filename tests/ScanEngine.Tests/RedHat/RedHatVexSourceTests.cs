using System.Text;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.RedHat;

/// <summary>Red Hat's per-CVE CSAF VEX documents (the corpus's, mirrored from claircore's test data) to OSV records.</summary>
[TestFixture]
public sealed class RedHatVexSourceTests
{
    private static async Task<NativeFeedResult> ReadAsync(string json) =>
        await new RedHatVexSource().ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    private static Task<string> CorpusText(string file) => File.ReadAllTextAsync(Corpus.PathOf("native", "redhat-vex", file));

    private static string Describe(OsvAffected a) =>
        $"{a.Package!.Ecosystem}|{a.Package.Name}|" + string.Join(",", a.Ranges.Single().Events.Select(e => $"{e.Kind}={e.Version}"));

    [Test]
    public async Task Fixed_products_become_ranges_fixed_at_their_build()
    {
        var feed = await ReadAsync(await CorpusText("cve-2024-24786-simple.json"));
        var advisory = feed.Advisories.Single().Advisory;
        Assert.Multiple(() =>
        {
            Assert.That(feed.Skipped, Is.Empty);
            Assert.That(advisory.Id, Is.EqualTo("REDHAT-CVE-2024-24786"));
            Assert.That(advisory.Upstream, Is.EqualTo(new[] { "CVE-2024-24786" }));
            Assert.That(advisory.Affected.Select(Describe), Is.EqualTo(new[] { "Red Hat:openshift:4.16::el9|cri-tools|Introduced=0,Fixed=0:1.29.0-3.1.el9" }));
            Assert.That(SeverityResolver.Resolve(advisory).VendorSeverity, Is.EqualTo("Moderate"));
        });
    }

    [Test]
    public async Task Each_branch_fix_of_one_stream_is_its_own_entry()
    {
        var feed = await ReadAsync(await CorpusText("cve-2023-38545.json"));
        var advisory = feed.Advisories.Single().Advisory;
        var baseosCurl = advisory.Affected.Where(a => a.Package is { Name: "curl", Ecosystem: "Red Hat:enterprise_linux:9::baseos" })
            .Select(a => a.Ranges.Single().Events[^1].Version).Order().ToList();
        Assert.Multiple(() =>
        {
            // The one fixed product that is not an rpm: a text-only (documentation) product.
            Assert.That(feed.Skipped.Select(s => (s.Name, s.Reason)), Is.EqualTo(new[] { ("CVE-2023-38545: Text-Only JBCS", "the product id has no 'PLATFORM:' part") }));
            Assert.That(baseosCurl, Is.EqualTo(new[] { "0:7.76.1-23.el9_2.4", "0:7.76.1-26.el9_3.2" }));
            Assert.That(advisory.Affected.Where(a => a.Package!.Ecosystem == "Red Hat:rhel_eus:9.0::baseos" && a.Package.Name == "curl").Select(Describe),
                Is.EqualTo(new[] { "Red Hat:rhel_eus:9.0::baseos|curl|Introduced=0,Fixed=0:7.76.1-14.el9_0.9" }));
            // RHEL 8's curl is known_not_affected: no entry for it.
            Assert.That(advisory.Affected.Where(a => a.Package!.Ecosystem.StartsWith("Red Hat:enterprise_linux:8", StringComparison.Ordinal)), Is.Empty);
            Assert.That(advisory.References.Select(r => r.Url), Does.Contain("https://access.redhat.com/errata/RHSA-2023:5700"));
        });
    }

    /// <summary>
    /// The corpus has no known_affected product; this moves RHEL 8's curl from known_not_affected to known_affected in
    /// the real document to see an unfixed product become an entry with no fix in the release-wide ecosystem.
    /// </summary>
    [Test]
    public async Task Known_affected_products_are_affected_with_no_fix_in_the_release_ecosystem()
    {
        var json = (await CorpusText("cve-2023-38545.json"))
            .Replace("\"known_not_affected\": [", "\"known_affected\": [\"red_hat_enterprise_linux_8:curl\", \"red_hat_enterprise_linux_8:curl.src\"], \"known_not_affected\": [");
        var advisory = (await ReadAsync(json)).Advisories.Single().Advisory;
        Assert.That(advisory.Affected.Where(a => a.Package!.Ecosystem == "Red Hat:enterprise_linux:8").Select(Describe),
            Is.EqualTo(new[] { "Red Hat:enterprise_linux:8|curl|Introduced=0" }));
    }

    [Test]
    public async Task A_cve_no_rpm_is_affected_by_still_gives_its_record()
    {
        var feed = await ReadAsync(await CorpusText("cve-2023-4154.json"));
        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories.Single().Advisory.Id, Is.EqualTo("REDHAT-CVE-2023-4154"));
            Assert.That(feed.Advisories.Single().Advisory.Affected, Is.Empty);
        });
    }

    [Test]
    public async Task A_security_advisory_is_not_a_vex_document()
    {
        var feed = await ReadAsync(await File.ReadAllTextAsync(Corpus.PathOf("native", "redhat-csaf", "rhsa-2024_4546.json")));
        Assert.That(feed.Advisories, Is.Empty);
        Assert.That(feed.Skipped.Single().Reason, Does.Contain("expected a CSAF 2.0 csaf_vex document"));
    }
}
