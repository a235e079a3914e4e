using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Ecosystems.RedHat;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.RedHat;

[TestFixture]
public sealed class RedHatCsafSourceTests
{
    internal static async Task<OsvAdvisory> ConvertAsync(params string[] corpusPath)
    {
        await using var file = File.OpenRead(Corpus.PathOf(corpusPath));
        var feed = await new RedHatCsafSource().ReadAsync(file);
        Assert.That(feed.Skipped, Is.Empty, string.Join("\n", feed.Skipped));
        return feed.Advisories.Single().Advisory;
    }

    private static IEnumerable<string> AffectedOf(OsvAdvisory advisory) => advisory.Affected.Select(a =>
        $"{a.Package!.Ecosystem}|{a.Package.Name}|{a.Package.Purl}|" + string.Join(";", a.Ranges.Select(r =>
            r.Type + ":" + string.Join(",", r.Events.Select(e => $"{e.Kind}={e.Version}")))));

    /// <summary>
    /// The oracle: osv/redhat/RHSA-2024_4546.json is what Red Hat's converter made of native/redhat-csaf/rhsa-2024_4546.json.
    /// Ours must give the same affected packages, ecosystems and fixed versions (in the same order), id, upstream CVEs,
    /// related GO id, severity vector, summary and references.
    /// </summary>
    [Test]
    public async Task Converts_rhsa_2024_4546_to_red_hats_own_osv_record()
    {
        var ours = await ConvertAsync("native", "redhat-csaf", "rhsa-2024_4546.json");
        var theirs = OsvParser.Parse(await File.ReadAllTextAsync(Corpus.PathOf("osv", "redhat", "RHSA-2024_4546.json")));
        Assert.Multiple(() =>
        {
            Assert.That(AffectedOf(ours), Is.EqualTo(AffectedOf(theirs)));
            Assert.That(ours.Affected, Has.Count.EqualTo(9));
            Assert.That(ours.Id, Is.EqualTo(theirs.Id));
            Assert.That(ours.Upstream, Is.EqualTo(theirs.Upstream));
            Assert.That(ours.Related, Is.EqualTo(theirs.Related));
            Assert.That(ours.Summary, Is.EqualTo(theirs.Summary));
            Assert.That(ours.Severity, Is.EqualTo(theirs.Severity));
            Assert.That(ours.References, Is.EqualTo(theirs.References));
            Assert.That(SeverityResolver.Resolve(ours).VendorSeverity, Is.EqualTo("Important"));
        });
    }

    /// <summary>RHSA-2003:315 (quagga on RHEL 2.1/3, re-issued in CSAF): old products keep their CPEs as ecosystems.</summary>
    [Test]
    public async Task Converts_an_old_product_advisory()
    {
        var advisory = await ConvertAsync("native", "redhat-csaf", "rhsa-2003_315.json");
        Assert.Multiple(() =>
        {
            Assert.That(advisory.Id, Is.EqualTo("RHSA-2003:315"));
            Assert.That(advisory.Affected, Is.Not.Empty);
            Assert.That(advisory.Affected.Select(a => a.Package!.Ecosystem), Has.All.StartWith("Red Hat:enterprise_linux:"));
            Assert.That(advisory.Affected.Select(a => a.Package!.Name), Does.Contain("quagga"));
            Assert.That(advisory.Affected.SelectMany(a => a.Ranges).Select(r => r.Events[^1].Version), Has.All.Not.EndsWith(".i386"));
        });
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("[1]", "no 'document' object")]
    [TestCase("""{"document": {"category": "csaf_vex", "csaf_version": "2.0"}}""", "expected a CSAF 2.0 csaf_security_advisory document")]
    [TestCase("""{"document": {"category": "csaf_security_advisory", "csaf_version": "2.0"}}""", "no errata id")]
    public async Task Bad_documents_are_skipped_with_a_reason(string json, string reason)
    {
        var feed = await new RedHatCsafSource().ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories, Is.Empty);
            Assert.That(feed.Skipped.Select(s => s.Reason), Has.One.Contains(reason));
        });
    }

    [Test]
    public async Task Unresolvable_fixed_products_are_skipped_and_the_rest_converted()
    {
        var json = (await File.ReadAllTextAsync(Corpus.PathOf("native", "redhat-csaf", "rhsa-2024_4546.json")))
            .Replace("\"fixed\": [", "\"fixed\": [\"Nowhere:x-1:2-3.src\", \"no-platform\", ");
        var feed = await new RedHatCsafSource().ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories.Single().Advisory.Affected, Has.Count.EqualTo(9));
            Assert.That(feed.Skipped.Select(s => s.Reason), Is.EquivalentTo(new[]
            {
                "the platform 'Nowhere' has no CPE in the product tree", "the product id has no 'PLATFORM:' part",
            }));
        });
    }
}
