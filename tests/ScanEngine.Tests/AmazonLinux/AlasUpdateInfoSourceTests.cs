using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.AmazonLinux;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Tests.Sources;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.AmazonLinux;

/// <summary>
/// The corpus's real Amazon Linux updateinfo.xml slices (Amazon Linux 2, 2022, 2023), checked against the vuln-list JSON
/// that aquasecurity/vuln-list-update wrote from the same slices: same ids, package names, epochs/versions/releases,
/// CVE ids and severities. Then hostile and malformed input.
/// </summary>
[TestFixture]
public sealed class AlasUpdateInfoSourceTests
{
    private static Task<NativeFeedResult> Read(string file) =>
        SourceTestStore.ReadAsync(new AlasUpdateInfoSource(), "native", "amazon-linux", "updateinfo", file);

    private static Task<NativeFeedResult> ReadText(string xml) => SourceTestStore.ReadTextAsync(new AlasUpdateInfoSource(), xml);

    [TestCase("updateinfo_1_item.xml.gz", "alas-updateinfo:2", "2", new[] { "ALAS2-2018-939" })]
    [TestCase("updateinfo_2_items.xml.gz", "alas-updateinfo:2", "2", new[] { "ALAS2-2018-942", "ALAS2-2018-949" })]
    [TestCase("updateinfo_AL2022.xml.gz", "alas-updateinfo:2022", "2022", new[] { "ALAS2022-2021-001" })]
    [TestCase("updateinfo_AL2023.xml.gz", "alas-updateinfo:2023", "2023", new[] { "ALAS2023-2023-001" })]
    public async Task Each_update_agrees_with_vuln_list(string file, string source, string release, string[] ids)
    {
        var feed = await Read(file);
        Assert.That(feed.Skipped, Is.Empty);
        Assert.That(feed.Source, Is.EqualTo(source));
        Assert.That(feed.Advisories.Select(a => a.Advisory.Id), Is.EqualTo(ids));
        foreach (var advisory in feed.Advisories.Select(a => a.Advisory))
        {
            using var oracle = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("native", "amazon-linux", "vuln-list", "amazon", release, advisory.Id + ".json")));
            var root = oracle.RootElement;
            string Field(JsonElement e, string name) => e.GetProperty(name).GetString()!;
            var expectedPackages = root.GetProperty("packages").EnumerateArray()
                .Where(p => Field(p, "arch") != "src")
                .Select(p => (Name: Field(p, "name"), Fixed: $"{Field(p, "epoch")}:{Field(p, "version")}-{Field(p, "release")}"))
                .Distinct().OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            var cves = root.GetProperty("cveids").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal).ToList();

            Assert.Multiple(() =>
            {
                Assert.That(expectedPackages.Select(p => p.Name).Distinct().Count(), Is.EqualTo(expectedPackages.Count), "one build per name in every arch");
                Assert.That(advisory.Affected.Select(a => (a.Package!.Name, FixedOf(a))), Is.EqualTo(expectedPackages), advisory.Id);
                Assert.That(advisory.Affected.Select(a => a.Package!.Ecosystem).Distinct(), Is.EqualTo(new[] { "Amazon Linux:" + release }));
                Assert.That(advisory.Aliases, Is.EqualTo(cves));
                Assert.That(advisory.Upstream, Is.EqualTo(cves));
                Assert.That(advisory.Summary, Is.EqualTo(Field(root, "title")));
                Assert.That(advisory.Published, Is.EqualTo(DateTimeOffset.Parse(Field(root.GetProperty("issued"), "date") + "Z")));
                Assert.That(advisory.Modified, Is.EqualTo(DateTimeOffset.Parse(Field(root.GetProperty("updated"), "date") + "Z")));
                Assert.That(advisory.Affected.Select(a => a.EcosystemSpecific!.Value.GetProperty("severity").GetString()).Distinct(),
                    Is.EqualTo(new[] { Field(root, "severity") }));
                Assert.That(advisory.References[0], Is.EqualTo(new OsvReference("ADVISORY", $"https://alas.aws.amazon.com/AL{release}/{advisory.Id}.html")));
            });
        }
    }

    /// <summary>
    /// The corpus's vuln-list records without an updateinfo slice (Amazon Linux 1's ALAS-2018-1093, ALAS2-2021-1699,
    /// ALAS2022-2021-003, from trivy-db's tests) written back as the updateinfo.xml they were made from (vuln-list-update
    /// copies each field one to one), so Amazon Linux 1's release and advisory URL are checked on real data too.
    /// </summary>
    [TestCase("1", "ALAS-2018-1093", "https://alas.aws.amazon.com/ALAS-2018-1093.html")]
    [TestCase("2", "ALAS2-2021-1699", "https://alas.aws.amazon.com/AL2/ALAS2-2021-1699.html")]
    [TestCase("2022", "ALAS2022-2021-003", "https://alas.aws.amazon.com/AL2022/ALAS2022-2021-003.html")]
    public async Task Vuln_list_records_written_back_as_updateinfo_read_the_same(string release, string id, string url)
    {
        using var oracle = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("native", "amazon-linux", "vuln-list", "amazon", release, id + ".json")));
        var root = oracle.RootElement;
        string Field(JsonElement e, string name) => e.GetProperty(name).GetString()!;
        var update = new XElement("update", new XAttribute("type", "security"), new XAttribute("status", "final"),
            new XElement("id", Field(root, "id")), new XElement("title", Field(root, "title")),
            new XElement("issued", new XAttribute("date", Field(root.GetProperty("issued"), "date"))),
            new XElement("updated", new XAttribute("date", Field(root.GetProperty("updated"), "date"))),
            new XElement("severity", Field(root, "severity")), new XElement("description", Field(root, "description")),
            new XElement("references", root.GetProperty("references").EnumerateArray().Select(r =>
                new XElement("reference", new XAttribute("href", Field(r, "href")), new XAttribute("id", Field(r, "id")), new XAttribute("type", Field(r, "type"))))),
            new XElement("pkglist", new XElement("collection", root.GetProperty("packages").EnumerateArray().Select(p =>
                new XElement("package", new XAttribute("name", Field(p, "name")), new XAttribute("epoch", Field(p, "epoch")),
                    new XAttribute("version", Field(p, "version")), new XAttribute("release", Field(p, "release")), new XAttribute("arch", Field(p, "arch")))))));

        var feed = await ReadText(new XElement("updates", update).ToString());

        var advisory = feed.Advisories.Single().Advisory;
        var expected = root.GetProperty("packages").EnumerateArray()
            .Select(p => (Field(p, "name"), $"{Field(p, "epoch")}:{Field(p, "version")}-{Field(p, "release")}")).Distinct().Order().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(feed.Skipped, Is.Empty);
            Assert.That(advisory.Id, Is.EqualTo(id));
            Assert.That(advisory.Affected.Select(a => a.Package!.Ecosystem).Distinct(), Is.EqualTo(new[] { "Amazon Linux:" + release }));
            Assert.That(advisory.Affected.Select(a => (a.Package!.Name, FixedOf(a))), Is.EqualTo(expected));
            Assert.That(advisory.Aliases, Is.EqualTo(root.GetProperty("cveids").EnumerateArray().Select(c => c.GetString()).Order()));
            Assert.That(advisory.References[0].Url, Is.EqualTo(url));
        });
    }

    private static string FixedOf(OsvAffected affected) =>
        affected.Ranges.Single().Events.Single(e => e.Kind == OsvEventKind.Fixed).Version;

    [Test]
    public async Task Amazons_severity_words_resolve_as_the_vendor_severity()
    {
        var critical = (await Read("updateinfo_1_item.xml.gz")).Advisories.Single().Advisory;
        var important = (await Read("updateinfo_AL2023.xml.gz")).Advisories.Single().Advisory;
        var resolvedCritical = SeverityResolver.Resolve(critical, critical.Affected[0]);
        var resolvedImportant = SeverityResolver.Resolve(important, important.Affected[0]);
        Assert.Multiple(() =>
        {
            Assert.That((resolvedCritical.Severity, resolvedCritical.Source, resolvedCritical.VendorSeverity), Is.EqualTo((Severity.Critical, "Amazon Linux", "critical")));
            Assert.That((resolvedImportant.Severity, resolvedImportant.Source, resolvedImportant.VendorSeverity), Is.EqualTo((Severity.High, "Amazon Linux", "Important")));
            Assert.That(SeverityResolver.FromVendorWord("medium"), Is.EqualTo(Severity.Medium));
            Assert.That(SeverityResolver.FromVendorWord("low"), Is.EqualTo(Severity.Low));
        });
    }

    [Test]
    public async Task Plain_xml_reads_like_the_gzip_file_and_a_reimport_is_unchanged()
    {
        var gz = await File.ReadAllBytesAsync(Corpus.PathOf("native", "amazon-linux", "updateinfo", "updateinfo_2_items.xml.gz"));
        using var plain = new MemoryStream();
        using (var gunzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress)) gunzip.CopyTo(plain);
        plain.Position = 0;
        var fromPlain = await new AlasUpdateInfoSource().ReadAsync(plain);
        var fromGzip = await Read("updateinfo_2_items.xml.gz");
        Assert.That(fromPlain.Advisories.Select(a => a.RawJson), Is.EqualTo(fromGzip.Advisories.Select(a => a.RawJson)));

        using var store = new SourceTestStore();
        var first = await NativeFeed.StoreAsync(store.Store, fromGzip);
        var second = await NativeFeed.StoreAsync(store.Store, await Read("updateinfo_2_items.xml.gz"));
        Assert.That((first.Added, second.Added, second.Changed, second.Unchanged), Is.EqualTo((2, 0, 0, 2)));
    }

    private static string Update(string id, string packages, string type = "security") => $"""
        <update type="{type}" status="final"><id>{id}</id><title>t</title><issued date="2023-03-01 10:00" /><severity>low</severity>
        <references><reference id="CVE-2023-0001" type="cve" href="https://example.org/CVE-2023-0001" /><reference id="not a cve" type="cve" /></references>
        <pkglist><collection short="x"><name>x</name>{packages}</collection></pkglist></update>
        """;

    private const string Curl = """<package name="curl" epoch="0" version="8.0.1" release="1.amzn2023.0.2" arch="x86_64" />""";

    [Test]
    public async Task Bad_updates_and_packages_are_skipped_with_reasons_and_the_rest_kept()
    {
        var xml = "<updates>"
            + Update("ALAS2023-2023-100", Curl + """<package name="curl" epoch="0" version="8.0.1" release="1.amzn2023.0.2" arch="src" /><package name="libcurl" version="8.0.1" arch="x86_64" />""")
            + Update("ALAS2023-2023-101", Curl, type: "bugfix")
            + Update("ALAS2KERNEL-5.10-2023-001", Curl)
            + Update("ALAS2023-2023-102", """<package name="bad" epoch="x" version="1" release="1" arch="x86_64" />""")
            + Update("ALAS2023-2023-100", Curl)
            + "<update><title>no id</title></update></updates>";

        var feed = await ReadText(xml);

        Assert.Multiple(() =>
        {
            var advisory = feed.Advisories.Single().Advisory;
            Assert.That(advisory.Id, Is.EqualTo("ALAS2023-2023-100"));
            Assert.That(advisory.Affected.Select(a => (a.Package!.Name, FixedOf(a))), Is.EqualTo(new[] { ("curl", "0:8.0.1-1.amzn2023.0.2") }));
            Assert.That(advisory.Aliases, Is.EqualTo(new[] { "CVE-2023-0001" }));
            Assert.That(advisory.Modified, Is.EqualTo(advisory.Published), "no <updated>: the issued date");
            Assert.That(feed.Skipped.Select(s => s.Name), Is.EqualTo(new[]
            {
                "ALAS2023-2023-100/libcurl", "ALAS2023-2023-101", "ALAS2KERNEL-5.10-2023-001", "ALAS2023-2023-102/bad", "ALAS2023-2023-102",
                "ALAS2023-2023-100", "(update 6)",
            }));
            Assert.That(feed.Skipped[1].Reason, Does.Contain("not a security update"));
            Assert.That(feed.Skipped[2].Reason, Does.Contain("Extras"));
            Assert.That(feed.Skipped[5].Reason, Does.Contain("appears twice"));
        });
    }

    [TestCase("""<?xml version="1.0"?><!DOCTYPE updates [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><updates>&b;</updates>""")]
    [TestCase("""<?xml version="1.0"?><!DOCTYPE updates [<!ENTITY x SYSTEM "file:///etc/passwd">]><updates><update type="security"><id>ALAS2023-2023-001</id><title>&x;</title></update></updates>""")]
    [TestCase("<updates><update><id>ALAS2023-2023-001</id>")]
    [TestCase("<repomd><data type=\"updateinfo\" /></repomd>")]
    [TestCase("{\"not\": \"xml\"}")]
    public async Task Hostile_or_unreadable_files_give_no_advisories_and_one_reason(string text)
    {
        var feed = await ReadText(text);
        Assert.Multiple(() =>
        {
            Assert.That(feed.Advisories, Is.Empty);
            Assert.That(feed.Skipped.Select(s => s.Name), Is.EqualTo(new[] { "(feed)" }));
            Assert.That(feed.Skipped[0].Reason, Does.Not.Contain("root:"), "no external entity is read");
        });
    }

    [Test]
    public async Task A_truncated_gzip_file_is_unreadable()
    {
        var gz = await File.ReadAllBytesAsync(Corpus.PathOf("native", "amazon-linux", "updateinfo", "updateinfo_AL2023.xml.gz"));
        var feed = await new AlasUpdateInfoSource().ReadAsync(new MemoryStream(gz[..(gz.Length / 2)]));
        Assert.That((feed.Advisories.Count, feed.Skipped.Single().Name), Is.EqualTo((0, "(feed)")));
    }

    [Test]
    public async Task An_empty_updates_document_has_nothing_and_no_complaint()
    {
        var feed = await SourceTestStore.ReadTextAsync(new AlasUpdateInfoSource(), "<?xml version=\"1.0\" ?>\n<updates />");
        Assert.That((feed.Advisories.Count, feed.Skipped.Count), Is.EqualTo((0, 0)));
    }
}
