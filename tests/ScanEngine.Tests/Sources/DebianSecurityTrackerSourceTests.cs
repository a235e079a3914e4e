using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>The two real Debian Security Tracker JSON slices of the corpus, converted and matched.</summary>
[TestFixture]
public sealed class DebianSecurityTrackerSourceTests
{
    private static readonly DebianSecurityTrackerSource Source = new();

    private static Task<NativeFeedResult> Vunnel() => SourceTestStore.ReadAsync(Source, "native", "debian-tracker", "vunnel-debian.json");
    private static Task<NativeFeedResult> OsvDevMock() => SourceTestStore.ReadAsync(Source, "native", "debian-tracker", "osvdev-debian_security_tracker_mock.json");

    private static OsvAdvisory Record(NativeFeedResult feed, string id) => feed.Advisories.Single(a => a.Advisory.Id == id).Advisory;

    private static IEnumerable<(string Ecosystem, string Name, string Events, string? Urgency)> Entries(OsvAdvisory advisory) =>
        advisory.Affected.Select(a => (a.Package!.Ecosystem, a.Package.Name,
            string.Join(",", a.Ranges.Single().Events.Select(e => $"{e.Kind}:{e.Version}")),
            a.EcosystemSpecific?.TryGetProperty("urgency", out var u) == true ? u.GetString() : null));

    [Test]
    public async Task A_resolved_CVE_becomes_one_record_with_an_entry_per_numbered_release_and_sid_left_out()
    {
        var feed = await Vunnel();
        var record = Record(feed, "DEBIAN-CVE-2008-7220");
        Assert.Multiple(() =>
        {
            Assert.That(feed.Source, Is.EqualTo("debian-tracker"));
            Assert.That(record.Aliases, Is.EqualTo(new[] { "CVE-2008-7220" }));
            Assert.That(record.Upstream, Is.EqualTo(new[] { "CVE-2008-7220" }));
            Assert.That(record.Details, Does.StartWith("Unspecified vulnerability in Prototype JavaScript framework"));
            Assert.That(record.References.Select(r => r.Url), Is.EqualTo(new[]
            {
                "https://security-tracker.debian.org/tracker/CVE-2008-7220", "https://bugs.debian.org/555217",
            }));
            // jessie 8, stretch 9, buster 10; the tracker's "high**" is kept as "high".
            Assert.That(Entries(record), Is.EquivalentTo(new[]
            {
                ("Debian:10", "prototypejs", "Introduced:0,Fixed:1.6.0.2-1", (string?)"high"),
                ("Debian:8", "prototypejs", "Introduced:0,Fixed:1.6.0.2-1", "high"),
                ("Debian:9", "prototypejs", "Introduced:0,Fixed:1.6.0.2-1", "high"),
            }));
        });
    }

    [Test]
    public async Task Open_releases_have_no_fix_and_a_fixed_version_of_zero_means_not_affected()
    {
        var feed = await Vunnel();
        Assert.That(Entries(Record(feed, "DEBIAN-CVE-2022-0456")), Is.EquivalentTo(new[]
        {
            ("Debian:12", "chromium", "Introduced:0,Fixed:98.0.4758.80-1", (string?)"not yet assigned"),
            ("Debian:11", "chromium", "Introduced:0,Fixed:98.0.4758.80-1~deb11u1", "not yet assigned"),
            ("Debian:10", "chromium", "Introduced:0", "end-of-life"),
            ("Debian:9", "chromium", "Introduced:0", "end-of-life"),
        }));
        Assert.That(Entries(Record(feed, "DEBIAN-CVE-2025-53603")).Single(e => e.Ecosystem == "Debian:13"),
            Is.EqualTo(("Debian:13", "sope", "Introduced:0,Fixed:5.12.1-2", (string?)"not yet assigned")));
        // Every release of CVE-2007-2383 says fixed_version "0": the record is kept, with nothing affected.
        Assert.That(Record(feed, "DEBIAN-CVE-2007-2383").Affected, Is.Empty);
    }

    [Test]
    public async Task A_CVE_with_unreadable_releases_is_skipped_with_its_reason_and_the_rest_is_converted()
    {
        var feed = await Vunnel();
        Assert.That(feed.Skipped, Is.EqualTo(new[] { new ImportFailure("chromium-browser/CVE-2022-0358", "releases is missing or not an object") }));
        Assert.That(feed.Advisories.Select(a => a.Advisory.Id), Is.EqualTo(new[]
        {
            "DEBIAN-CVE-2005-3111", "DEBIAN-CVE-2007-2383", "DEBIAN-CVE-2008-7220", "DEBIAN-CVE-2013-1444",
            "DEBIAN-CVE-2022-0456", "DEBIAN-CVE-2025-53603",
        }));
    }

    [Test]
    public async Task Undetermined_TEMP_issues_and_unknown_codenames_are_handled_as_documented()
    {
        const string text = """
            {"glibc": {"TEMP-0000000-ABCDEF": {"description": "no CVE yet", "releases": {
                "bookworm": {"status": "undetermined", "urgency": "medium*"},
                "duke": {"status": "open", "urgency": "low"},
                "bullseye": {"status": "fixed-somehow", "urgency": "low"}}}}}
            """;
        var feed = await SourceTestStore.ReadTextAsync(Source, text);
        var record = feed.Advisories.Single().Advisory;
        Assert.Multiple(() =>
        {
            Assert.That((record.Id, record.Aliases.Count), Is.EqualTo(("DEBIAN-TEMP-0000000-ABCDEF", 0)));
            Assert.That(Entries(record), Is.EqualTo(new[] { ("Debian:12", "glibc", "Introduced:0", (string?)"medium") }));
            Assert.That(feed.Skipped, Is.EqualTo(new[]
            {
                new ImportFailure("glibc/TEMP-0000000-ABCDEF/bullseye", "unknown status 'fixed-somehow'"),
                new ImportFailure("duke", "release codename without a known Debian version number: left out"),
            }));
        });
    }

    [TestCase("not json at all")]
    [TestCase("[1, 2, 3]")]
    [TestCase("{\"openssl\": 5, \"curl\": {\"CVE-2024-1\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\"}}}}}")]
    public async Task Bad_input_is_reported_never_thrown(string text)
    {
        var feed = await SourceTestStore.ReadTextAsync(Source, text);
        Assert.That(feed.Skipped, Is.Not.Empty);
        Assert.That(feed.Advisories.SelectMany(a => a.Advisory.Affected), Is.Empty);
    }

    [Test]
    public async Task The_raw_json_parses_back_to_the_same_record()
    {
        foreach (var advisory in (await OsvDevMock()).Advisories)
        {
            var reparsed = OsvParser.Parse(advisory.RawJson);
            Assert.That(Entries(reparsed), Is.EqualTo(Entries(advisory.Advisory)));
            Assert.That(reparsed.Aliases, Is.EqualTo(advisory.Advisory.Aliases));
        }
    }

    [Test]
    public async Task Stored_and_matched_a_vulnerable_package_gets_the_release_fix_and_the_Debian_urgency_as_severity()
    {
        using var test = new SourceTestStore();
        var first = await NativeFeed.StoreAsync(test.Store, await Vunnel());
        await NativeFeed.StoreAsync(test.Store, await OsvDevMock());
        Assert.That((first.Added, first.Failed), Is.EqualTo((6, 1)));

        var matcher = new VulnerabilityMatcher(test.Store);
        IEcosystem[] ecosystems = [new DebianEcosystem()];
        var buster = new Distribution("debian", "10.13", "buster", "Debian GNU/Linux 10 (buster)");
        var matches = await matcher.MatchAsync([Deb("libjs-prototype", "prototypejs", "1.6.0.1-1")], buster, ecosystems);
        var match = matches.Single();
        Assert.Multiple(() =>
        {
            Assert.That((match.VulnerabilityId, match.AdvisoryEcosystem, match.FixedInVersion), Is.EqualTo(("DEBIAN-CVE-2008-7220", "Debian:10", "1.6.0.2-1")));
            Assert.That((match.Severity, match.SeveritySource, match.VendorSeverity), Is.EqualTo((Severity.High, "Debian", "high")));
        });
        Assert.That(await matcher.MatchAsync([Deb("libjs-prototype", "prototypejs", "1.7.1-3")], buster, ecosystems), Is.Empty);

        // apparmor on bookworm: CVE-2016-1585 is open there ("unimportant"); CVE-2017-6507 was fixed in 2.11.0-3.
        var bookworm = new Distribution("debian", "12", "bookworm", null);
        var apparmor = await matcher.MatchAsync([Deb("apparmor", "apparmor", "3.0.8-3")], bookworm, ecosystems);
        Assert.That(apparmor.Select(m => (m.VulnerabilityId, m.FixedInVersion, m.Severity, m.VendorSeverity)), Is.EqualTo(new[]
        {
            ("DEBIAN-CVE-2016-1585", (string?)null, Severity.Informational, (string?)"unimportant"),
        }));
        var old = await matcher.MatchAsync([Deb("apparmor", "apparmor", "2.10.95-1")], bookworm, ecosystems);
        Assert.That(old.Select(m => (m.VulnerabilityId, m.FixedInVersion, m.Severity)), Is.EqualTo(new[]
        {
            ("DEBIAN-CVE-2016-1585", (string?)null, Severity.Informational),
            ("DEBIAN-CVE-2017-6507", "2.11.0-3", Severity.Untriaged), // "not yet assigned", and no CVSS in the tracker
        }));
    }

    [Test]
    public async Task Re_importing_the_same_feed_changes_nothing()
    {
        using var test = new SourceTestStore();
        await NativeFeed.StoreAsync(test.Store, await Vunnel());
        var again = await NativeFeed.StoreAsync(test.Store, await Vunnel());
        Assert.That((again.Added, again.Changed, again.MetadataChanged, again.Unchanged, again.NewOrChanged.Count), Is.EqualTo((0, 0, 0, 6, 0)));
    }

    private static Package Deb(string name, string source, string version) => new()
    {
        Name = name, Version = version, Type = "deb", SourceName = source, SourceVersion = version,
        Architecture = "all", FilePath = "var/lib/dpkg/status", LayerDigest = "sha256:l0",
    };
}
