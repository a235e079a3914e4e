using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Advisories;

public class OsvParserTests
{
    [Test]
    public void Every_record_of_the_corpus_osv_folders_parses()
    {
        var perFolder = new Dictionary<string, int>();
        var failures = new List<string>();
        foreach (var file in OsvCorpus.AllFiles())
        {
            var folder = Path.GetRelativePath(OsvCorpus.OsvRoot, file).Split(Path.DirectorySeparatorChar)[0];
            try
            {
                var advisory = OsvParser.Parse(File.ReadAllText(file));
                Assert.That(advisory.Id, Is.Not.Empty);
                perFolder[folder] = perFolder.GetValueOrDefault(folder) + 1;
            }
            catch (OsvParseException e)
            {
                failures.Add($"{file}: {e.Message}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty);
            Assert.That(perFolder.Values.Sum(), Is.EqualTo(589));
            Assert.That(perFolder["debian"], Is.EqualTo(6));
            Assert.That(perFolder["ghsa"], Is.EqualTo(20));
            Assert.That(perFolder["ghsa-osvdev"], Is.EqualTo(516));
            Assert.That(perFolder["osvdev-served"], Is.EqualTo(33));
            Assert.That(perFolder["alpine"], Is.EqualTo(1));
            Assert.That(perFolder["ubuntu"], Is.EqualTo(9));
            Assert.That(perFolder["redhat"], Is.EqualTo(3));
            Assert.That(perFolder["suse"], Is.EqualTo(1));
        });
    }

    [Test]
    public void Every_record_of_the_go_vulndb_feed_parses()
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));
        var records = zip.Entries.Select(e =>
        {
            using var reader = new StreamReader(e.Open());
            return OsvParser.Parse(reader.ReadToEnd());
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(records, Has.Count.EqualTo(4291));
            Assert.That(records.Count(r => r.Aliases.Count > 0), Is.EqualTo(4277));
            Assert.That(records.Count(r => r.IsWithdrawn), Is.EqualTo(17));
            Assert.That(records.Select(r => r.SchemaVersion).Distinct(), Is.EqualTo(new[] { "1.3.1" }));
            Assert.That(records.SelectMany(r => r.Affected).SelectMany(a => a.Ranges).Select(r => r.Type).Distinct(), Is.EqualTo(new[] { "SEMVER" }));
        });
    }

    [Test]
    public void Parses_from_utf8_bytes_the_same_as_from_text()
    {
        var path = OsvCorpus.PathOf("ghsa", "GHSA-jfh8-c2jp-5v3q");
        var fromBytes = OsvParser.Parse(File.ReadAllBytes(path));
        var fromText = OsvParser.Parse(File.ReadAllText(path));
        Assert.That(fromBytes.Id, Is.EqualTo(fromText.Id));
        Assert.That(fromBytes.Affected, Has.Count.EqualTo(fromText.Affected.Count));
    }

    [Test]
    public void DLA_3008_1_openssl_Debian_9_with_upstream_merged_into_aliases()
    {
        var dla = OsvCorpus.Load("debian", "DLA-3008-1");
        Assert.Multiple(() =>
        {
            Assert.That(dla.Id, Is.EqualTo("DLA-3008-1"));
            Assert.That(dla.SchemaVersion, Is.EqualTo("1.7.3"));
            Assert.That(dla.Summary, Is.EqualTo("openssl - security update"));
            Assert.That(dla.Published, Is.EqualTo(new DateTimeOffset(2022, 5, 14, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(dla.Modified, Is.EqualTo(new DateTimeOffset(2026, 3, 9, 1, 23, 33, TimeSpan.Zero).AddTicks(3756300)));
            Assert.That(dla.Upstream, Is.EqualTo(new[] { "CVE-2022-1292", "DEBIAN-CVE-2022-1292" }));
            Assert.That(dla.Aliases, Does.Contain("CVE-2022-1292"));
            Assert.That(dla.CveIds, Is.EqualTo(new[] { "CVE-2022-1292" }));
            Assert.That(dla.IsWithdrawn, Is.False);
            Assert.That(dla.Affected, Has.Count.EqualTo(1));
        });
        var affected = dla.Affected[0];
        Assert.Multiple(() =>
        {
            Assert.That(affected.Package, Is.EqualTo(new OsvPackage("Debian:9", "openssl", "pkg:deb/debian/openssl?arch=source")));
            Assert.That(affected.Ranges, Has.Count.EqualTo(1));
            Assert.That(affected.Ranges[0].Type, Is.EqualTo("ECOSYSTEM"));
            Assert.That(affected.Ranges[0].Events, Is.EqualTo(new[] { OsvEvent.Introduced("0"), OsvEvent.Fixed("1.1.0l-1~deb9u6") }));
            Assert.That(affected.Versions, Has.Count.EqualTo(19));
            Assert.That(affected.Versions[0], Is.EqualTo("1.1.0f-3"));
            Assert.That(affected.Versions[^1], Is.EqualTo("1.1.0l-1~deb9u5"));
            Assert.That(affected.DatabaseSpecific?.GetProperty("source").GetString(),
                Is.EqualTo("https://storage.googleapis.com/debian-osv/dla-osv/DLA-3008-1.json"));
        });
    }

    [Test]
    public void DSA_3029_1_in_the_old_schema_without_schema_version()
    {
        var dsa = OsvCorpus.Load("debian", "DSA-3029-1");
        Assert.Multiple(() =>
        {
            Assert.That(dsa.SchemaVersion, Is.Null);
            Assert.That(dsa.Aliases, Is.EqualTo(new[] { "CVE-2014-3616" }));
            Assert.That(dsa.Upstream, Is.Empty);
            Assert.That(dsa.Summary, Is.EqualTo("nginx - security update"));
            Assert.That(dsa.Details, Does.Contain("virtual host confusion"));
            Assert.That(dsa.Modified, Is.EqualTo(new DateTimeOffset(2014, 9, 20, 8, 18, 7, TimeSpan.Zero)));
            Assert.That(dsa.References, Is.EqualTo(new[] { new OsvReference("ADVISORY", "https://www.debian.org/security/2014/dsa-3029") }));
            Assert.That(dsa.Affected[0].Package, Is.EqualTo(new OsvPackage("Debian:7", "nginx", null)));
            Assert.That(dsa.Affected[0].Ranges[0].Events, Is.EqualTo(new[] { OsvEvent.Introduced("0"), OsvEvent.Fixed("1.2.1-2.2+wheezy3") }));
            Assert.That(dsa.Affected[0].Versions, Is.Empty);
        });
    }

    [Test]
    public void GHSA_jfh8_c2jp_5v3q_log4shell()
    {
        var ghsa = OsvCorpus.Load("ghsa", "GHSA-jfh8-c2jp-5v3q");
        Assert.Multiple(() =>
        {
            Assert.That(ghsa.Aliases, Is.EqualTo(new[] { "CVE-2021-44228" }));
            Assert.That(ghsa.Summary, Does.Contain("Log4j"));
            Assert.That(ghsa.DatabaseSpecific?.GetProperty("severity").GetString(), Is.EqualTo("CRITICAL"));
            Assert.That(ghsa.Severity, Is.EqualTo(new[] { new OsvSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") }));
            Assert.That(ghsa.Affected.Select(a => a.Package!.Name).Distinct(), Is.EqualTo(new[] { "org.apache.logging.log4j:log4j-core" }));
            Assert.That(ghsa.Affected.Select(a => a.Package!.Ecosystem).Distinct(), Is.EqualTo(new[] { "Maven" }));
            Assert.That(ghsa.Affected.SelectMany(a => a.Ranges).SelectMany(r => r.Events).Where(e => e.Kind == OsvEventKind.Fixed).Select(e => e.Version),
                Is.EquivalentTo(new[] { "2.15.0", "2.3.1", "2.12.2" }));
            Assert.That(ghsa.References[0], Is.EqualTo(new OsvReference("ADVISORY", "https://nvd.nist.gov/vuln/detail/CVE-2021-44228")));
        });
    }

    [Test]
    public void Ubuntu_records_keep_the_vendor_priority_upstream_and_binaries()
    {
        var usn = OsvCorpus.Load("ubuntu", "USN-5614-1");
        Assert.Multiple(() =>
        {
            Assert.That(usn.Aliases, Is.EqualTo(new[] { "UBUNTU-CVE-2021-3782" }));
            Assert.That(usn.Affected[0].Package!.Ecosystem, Is.EqualTo("Ubuntu:18.04:LTS"));
            Assert.That(usn.Affected[0].EcosystemSpecific?.GetProperty("binaries").GetArrayLength(), Is.GreaterThan(0));
        });

        var cve = OsvCorpus.Load("ubuntu", "UBUNTU-CVE-2022-24823");
        Assert.That(cve.Severity.Select(s => s.Type), Does.Contain("Ubuntu"));
    }

    [Test]
    public void Withdrawn_records_are_marked()
    {
        var withdrawn = OsvCorpus.Load("ubuntu", "UBUNTU-CVE-2014-2901");
        Assert.That(withdrawn.IsWithdrawn, Is.True);
        Assert.That(withdrawn.Withdrawn, Is.EqualTo(new DateTimeOffset(2025, 8, 1, 19, 34, 27, TimeSpan.Zero)));
    }

    [Test]
    public void Nanosecond_timestamps_of_osv_dev_are_read()
    {
        var alpine = OsvCorpus.Load("alpine", "ALPINE-CVE-2025-26519");
        Assert.That(alpine.Modified, Is.EqualTo(new DateTimeOffset(2026, 7, 8, 4, 32, 24, TimeSpan.Zero).AddTicks(5480426)));
        Assert.That(alpine.Published, Is.EqualTo(new DateTimeOffset(2025, 2, 14, 4, 15, 9, 50, TimeSpan.Zero)));
        Assert.That(alpine.Aliases, Is.EqualTo(new[] { "CVE-2025-26519" }));
        Assert.That(alpine.Affected.Select(a => a.Package!.Ecosystem), Does.Contain("Alpine:v3.16"));
    }

    [Test]
    public void Git_only_affected_entries_have_no_package()
    {
        var record = OsvParser.Parse(File.ReadAllText(Corpus.PathOf("osv", "osvdev-served", "GIT", "CVE-2024-51757.json")));
        Assert.That(record.Affected.Any(a => a.Package is null), Is.True);
        Assert.That(record.Affected.Where(a => a.Package is null).SelectMany(a => a.Ranges).All(r => r.Type == "GIT"), Is.True);
    }

    [Test]
    public void Last_affected_and_unknown_fields_are_read_tolerantly()
    {
        const string json = """
            {
              "id": "TEST-1", "schema_version": "9.9", "future_field": {"x": [1, 2]},
              "aliases": null, "related": ["A", 3, null, "B"], "modified": "not a date",
              "severity": [{"type": "CVSS_V3"}, {"type": "Ubuntu", "score": "low"}, 7],
              "references": [{"url": "https://example.test/a"}, {"type": "web"}],
              "affected": [{
                 "package": {"ecosystem": "PyPI", "name": "demo"},
                 "ranges": [{"type": "semver", "events": [{"introduced": "1.0"}, {"last_affected": "1.4"}, {"limit": "*"}]}],
                 "versions": ["1.0", 1.1, null]
              }],
            }
            """;
        var record = OsvParser.Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(record.Aliases, Is.Empty);
            Assert.That(record.Related, Is.EqualTo(new[] { "A", "B" }));
            Assert.That(record.Modified, Is.Null);
            Assert.That(record.Severity, Is.EqualTo(new[] { new OsvSeverity("Ubuntu", "low") }));
            Assert.That(record.References, Is.EqualTo(new[] { new OsvReference("WEB", "https://example.test/a") }));
            Assert.That(record.Affected[0].Ranges[0].Type, Is.EqualTo("SEMVER"));
            Assert.That(record.Affected[0].Ranges[0].Events,
                Is.EqualTo(new[] { OsvEvent.Introduced("1.0"), OsvEvent.LastAffected("1.4"), OsvEvent.Limit("*") }));
            Assert.That(record.Affected[0].Versions, Is.EqualTo(new[] { "1.0", "1.1" }));
        });
    }

    [TestCase("{\"id\": \"X-1\", \"affected\": [", "Invalid JSON")]
    [TestCase("", "Invalid JSON")]
    [TestCase("[{\"id\": \"X-1\"}]", "root is an array")]
    [TestCase("{\"summary\": \"no id\"}", "no \"id\"")]
    [TestCase("{\"id\": 5}", "no \"id\"")]
    [TestCase("{\"id\": \"X-1\", \"affected\": {}}", "OSV record X-1: \"affected\" is an object, expected an array")]
    [TestCase("{\"id\": \"X-1\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\"}}]}", "affected[0].package has no \"name\"")]
    [TestCase("{\"id\": \"X-1\", \"affected\": [{\"ranges\": [{\"type\": \"ECOSYSTEM\"}]}]}", "affected[0].ranges[0] has no \"events\" array")]
    [TestCase("{\"id\": \"X-1\", \"affected\": [{\"ranges\": [{\"events\": []}]}]}", "affected[0].ranges[0] has no \"type\"")]
    [TestCase("{\"id\": \"X-1\", \"affected\": [{\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"removed\": \"1\"}]}]}]}",
        "affected[0].ranges[0].events[0] has none of introduced, fixed, last_affected, limit")]
    [TestCase("{\"id\": \"X-1\", \"affected\": [{\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"fixed\": \"\"}]}]}]}",
        "events[0].fixed has no version")]
    public void Bad_records_fail_with_the_reason(string json, string reason)
    {
        var e = Assert.Throws<OsvParseException>(() => OsvParser.Parse(json));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [Test]
    public void Invalid_utf8_fails_with_a_parse_exception()
    {
        byte[] bytes = [(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        Assert.Throws<OsvParseException>(() => OsvParser.Parse(bytes));
    }

    [Test]
    public void Kept_json_outlives_the_document()
    {
        var record = OsvCorpus.Load("ghsa", "GHSA-jfh8-c2jp-5v3q");
        GC.Collect();
        Assert.That(record.DatabaseSpecific!.Value.ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(record.DatabaseSpecific.Value.GetProperty("cwe_ids").GetArrayLength(), Is.EqualTo(4));
    }
}
