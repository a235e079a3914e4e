using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>NVD CVE API 2.0 data of the corpus in its four forms, and the CVSS fallback it gives Debian tracker records.</summary>
[TestFixture]
public sealed class NvdSourceTests
{
    private static async Task<NvdFeedResult> Read(params string[] path)
    {
        await using var stream = File.OpenRead(Corpus.PathOf(["native", "nvd", .. path]));
        return await NvdCvssReader.ReadAsync(stream);
    }

    private static async Task<NvdCvssRecord> Single(params string[] path)
    {
        var feed = await Read(path);
        Assert.That(feed.Skipped, Is.Empty);
        return feed.Records.Single();
    }

    private static (string, string, double, string?, string?)? V3(NvdCvssRecord r) =>
        r.CvssV3 is { } m ? (m.Version, m.Vector, m.BaseScore, m.BaseSeverity, m.Source) : null;

    [Test]
    public async Task The_NVD_Primary_v3_metric_is_preferred_over_a_CNA_Secondary_listed_first()
    {
        // CVE-2024-3094 (xz): the Red Hat Secondary metric comes first in the API response.
        var xz = await Single("api2-responses", "CVE-2024-3094.json");
        Assert.That(xz.CveId, Is.EqualTo("CVE-2024-3094"));
        Assert.That(V3(xz), Is.EqualTo(("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, (string?)"CRITICAL", (string?)"nvd@nist.gov")));
        // CVE-2021-3881: NVD's 3.1 (9.8) over huntr.dev's 3.0 (7.1).
        Assert.That(V3(await Single("CVE-2021-3881.json")),
            Is.EqualTo(("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, (string?)"CRITICAL", (string?)"nvd@nist.gov")));
    }

    [Test]
    public async Task Libwebp_and_Struts_carry_their_published_vectors_and_scores()
    {
        var webp = await Single("api2-responses", "CVE-2023-4863.json");
        Assert.That(V3(webp), Is.EqualTo(("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, (string?)"HIGH", (string?)"nvd@nist.gov")));
        Assert.That(webp.CvssV2, Is.Null);

        var struts = await Single("CVE-2017-5638.json"); // a {cve: {...}} item
        Assert.That(V3(struts), Is.EqualTo(("3.0", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, (string?)"CRITICAL", (string?)"nvd@nist.gov")));
        Assert.That((struts.CvssV2!.Vector, struts.CvssV2.BaseScore, struts.CvssV2.BaseSeverity), Is.EqualTo(("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, "HIGH")));
    }

    [Test]
    public async Task Every_form_of_NVD_data_is_read()
    {
        Assert.That(V3(await Single("CVE-2024-3094.json")), Is.Not.Null); // bare cve object (vuln-list-nvd)
        var wrapped = await Single("vunnel-wrapped-CVE-2014-0224.json"); // vunnel envelope
        Assert.That((wrapped.CveId, wrapped.CvssV3!.Vector, wrapped.CvssV3.BaseScore, wrapped.CvssV2!.BaseScore),
            Is.EqualTo(("CVE-2014-0224", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4, 5.8)));
        var page = await Read("vunnel-api2-page-38-cves.json");
        Assert.That((page.Records.Count, page.Skipped.Count), Is.EqualTo((38, 0)));
        Assert.That(page.Records.Select(r => r.CveId), Does.Contain("CVE-2023-45109"));
        var single = await Single("vunnel-api2-single-CVE-2022-1576.json");
        Assert.That(V3(single), Is.EqualTo(("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", 6.5, (string?)"MEDIUM", (string?)"nvd@nist.gov")));
    }

    [Test]
    public async Task Without_a_Primary_the_Secondary_is_used_and_a_v2_only_CVE_has_no_v3()
    {
        Assert.That(V3(await Single("api2-responses", "CVE-2023-5341.json")),
            Is.EqualTo(("3.1", "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.2, (string?)"MEDIUM", (string?)"secalert@redhat.com")));
        var v2Only = await Single("api2-responses", "CVE-2014-1424.json");
        Assert.That((v2Only.CvssV3, v2Only.CvssV2!.Vector, v2Only.CvssV2.BaseScore), Is.EqualTo(((NvdCvss?)null, "AV:N/AC:L/Au:N/C:N/I:P/A:P", 6.4)));
        var v4 = (await Single("CVE-2024-5732.json")).CvssV4!;
        Assert.That((v4.BaseScore, v4.Source, v4.IsPrimary), Is.EqualTo((6.9, "cna@vuldb.com", false)));
    }

    [TestCase("nope")]
    [TestCase("{\"vulnerabilities\": [{\"cve\": {\"id\": 5}}, 3]}")]
    [TestCase("{\"something\": \"else\"}")]
    public async Task Bad_input_is_reported_never_thrown(string text)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var feed = await NvdCvssReader.ReadAsync(stream);
        Assert.That((feed.Records.Count, feed.Skipped.Count > 0), Is.EqualTo((0, true)));
    }

    [Test]
    public async Task NVD_vectors_give_tracker_records_without_a_vendor_severity_a_CVSS_severity_and_vendor_words_still_win()
    {
        var nvd = new NvdEnrichment(
            (await Read("api2-responses", "CVE-2017-6507.json")).Records
                .Concat((await Read("api2-responses", "CVE-2016-1585.json")).Records)
                .Concat((await Read("api2-responses", "CVE-2014-1424.json")).Records));
        DebianSecurityTrackerSource tracker = new();
        var feed = await SourceTestStore.ReadAsync(tracker, "native", "debian-tracker", "osvdev-debian_security_tracker_mock.json");
        var enriched = nvd.Enrich(feed);
        Assert.That(enriched.Advisories.Select(a => (a.Advisory.Id, string.Join(" ", a.Advisory.Severity.Select(s => $"{s.Type}={s.Score}")))), Is.EqualTo(new[]
        {
            ("DEBIAN-CVE-2014-1424", ""), // NVD has only v2 for it
            ("DEBIAN-CVE-2016-1585", "CVSS_V3=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            ("DEBIAN-CVE-2017-6507", "CVSS_V3=CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N"),
        }));
        Assert.That(OsvParser.Parse(enriched.Advisories[2].RawJson).Severity, Is.EqualTo(enriched.Advisories[2].Advisory.Severity));

        using var test = new SourceTestStore();
        await NativeFeed.StoreAsync(test.Store, feed);
        var second = await NativeFeed.StoreAsync(test.Store, enriched);
        // Severity is metadata: stored, but no re-scan event; the same enriched feed again is Unchanged.
        Assert.That((second.Changed, second.MetadataChanged, second.Unchanged), Is.EqualTo((0, 2, 1)));
        Assert.That((await NativeFeed.StoreAsync(test.Store, nvd.Enrich(feed))).Unchanged, Is.EqualTo(3));

        var bookworm = new Distribution("debian", "12", "bookworm", null);
        var matches = await new VulnerabilityMatcher(test.Store).MatchAsync([Deb("apparmor", "2.10.95-1")], bookworm, [new DebianEcosystem()]);
        Assert.That(matches.Select(m => (m.VulnerabilityId, m.Severity, m.SeveritySource, m.CvssScore)), Is.EqualTo(new[]
        {
            ("DEBIAN-CVE-2016-1585", Severity.Informational, "Debian", (double?)9.8), // "unimportant" beats NVD's 9.8
            ("DEBIAN-CVE-2017-6507", Severity.Medium, "CVSS_V3", 5.9), // "not yet assigned": NVD's 5.9
        }));
    }

    [Test]
    public async Task An_advisory_with_its_own_CVSS_v3_is_left_as_it_is()
    {
        var raw = await File.ReadAllTextAsync(Corpus.PathOf("osv", "alpine", "ALPINE-CVE-2025-26519.json"));
        var advisory = OsvParser.Parse(raw);
        var nvd = new NvdEnrichment([new NvdCvssRecord("CVE-2025-26519", new NvdCvss("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL", "nvd@nist.gov", "Primary"), null, null, [])]);
        Assert.That(nvd.TryEnrich(advisory, raw, out var same, out var sameJson), Is.False);
        Assert.That((same, sameJson), Is.EqualTo((advisory, raw)));
        // Without its own vector the same record would get NVD's, and keep every other field of its raw JSON.
        var stripped = advisory with { Severity = [] };
        var rawWithout = raw.Replace("\"severity\"", "\"severity_removed\"", StringComparison.Ordinal);
        Assert.That(nvd.TryEnrich(stripped, rawWithout, out var enriched, out var enrichedJson), Is.True);
        Assert.That(enriched.Severity, Is.EqualTo(new[] { new OsvSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") }));
        Assert.That(AdvisoryFingerprint.AffectedHashOf(enriched), Is.EqualTo(AdvisoryFingerprint.AffectedHashOf(advisory)));
        Assert.That(enrichedJson, Does.Contain("severity_removed").And.Contain("cve-osv-conversion"));
    }

    private static Package Deb(string source, string version) => new()
    {
        Name = source, Version = version, Type = "deb", SourceName = source, SourceVersion = version,
        Architecture = "amd64", FilePath = "var/lib/dpkg/status", LayerDigest = "sha256:l0",
    };
}
