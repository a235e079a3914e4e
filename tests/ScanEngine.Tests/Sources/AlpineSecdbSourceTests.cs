using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Ecosystems.Wolfi;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Sources;

/// <summary>Real Alpine, Wolfi and Chainguard secdb files (JSON and YAML) converted, stored and matched.</summary>
[TestFixture]
public sealed class AlpineSecdbSourceTests
{
    private static Task<NativeFeedResult> Read(string file, string? ecosystem = null) =>
        SourceTestStore.ReadAsync(new AlpineSecdbSource(ecosystem), "native", "alpine-secdb", file);

    private static IEnumerable<(string Id, string Ecosystem, string Package, string Events)> Rows(NativeFeedResult feed) =>
        feed.Advisories.SelectMany(a => a.Advisory.Affected.Select(x => (a.Advisory.Id, x.Package!.Ecosystem, x.Package.Name,
            string.Join(",", x.Ranges.Single().Events.Select(e => $"{e.Kind}:{e.Version}")))));

    [Test]
    public async Task A_json_secdb_gives_one_record_per_CVE_in_the_release_ecosystem_and_skips_a_malformed_fix()
    {
        var feed = await Read("v3.12-main.json");
        Assert.Multiple(() =>
        {
            Assert.That(feed.Source, Is.EqualTo("alpine-secdb:v3.12"));
            Assert.That(Rows(feed), Is.EqualTo(new[] { ("ALPINE-CVE-2018-16876", "Alpine:v3.12", "ansible", "Introduced:0,Fixed:2.7.9-r0") }));
            Assert.That(feed.Advisories.Single().Advisory.Aliases, Is.EqualTo(new[] { "CVE-2018-16876" }));
            // "2.8.0-r0": {} in the real file is an object, not a list of ids.
            Assert.That(feed.Skipped, Is.EqualTo(new[] { new ImportFailure("ansible@2.8.0-r0", "secfixes entry is Object, not a list of ids") }));
        });
    }

    [Test]
    public async Task Several_CVEs_fixed_in_one_version_each_get_a_record()
    {
        var feed = await Read("v3.11-main.json");
        Assert.That(Rows(feed), Is.EqualTo(new[]
        {
            ("ALPINE-CVE-2018-1333", "Alpine:v3.11", "apache2", "Introduced:0,Fixed:2.4.34-r0"),
            ("ALPINE-CVE-2018-8011", "Alpine:v3.11", "apache2", "Introduced:0,Fixed:2.4.34-r0"),
        }));
        var community = await Read("v3.11-community.json"); // an empty repository: "packages": {}, and it says v3.3
        Assert.That((community.Source, community.Advisories.Count, community.Skipped.Count), Is.EqualTo(("alpine-secdb:v3.3", 0, 0)));
    }

    [Test]
    public async Task The_yaml_flavour_reads_the_same_shape()
    {
        var feed = await Read("v3.15-main.yaml");
        Assert.That(feed.Skipped, Is.Empty);
        Assert.That(feed.Advisories, Has.Count.EqualTo(13));
        var rows = Rows(feed).ToList();
        Assert.That(rows, Does.Contain(("ALPINE-CVE-2022-37434", "Alpine:v3.15", "zlib", "Introduced:0,Fixed:1.2.12-r2")));
        Assert.That(rows, Does.Contain(("ALPINE-CVE-2018-25032", "Alpine:v3.15", "zlib", "Introduced:0,Fixed:1.2.12-r0")));
        Assert.That(rows, Does.Contain(("ALPINE-CVE-2018-1071", "Alpine:v3.15", "zsh", "Introduced:0,Fixed:5.4.2-r1")));
        Assert.That(rows, Does.Contain(("ALPINE-CVE-2022-1271", "Alpine:v3.15", "xz", "Introduced:0,Fixed:5.2.5-r1")));
        var community = await Read("v3.15-community.yaml");
        Assert.That(Rows(community), Is.EqualTo(new[]
        {
            ("ALPINE-CVE-2019-9210", "Alpine:v3.15", "advancecomp", "Introduced:0,Fixed:2.1-r2"),
            ("ALPINE-CVE-2020-14929", "Alpine:v3.15", "alpine", "Introduced:0,Fixed:2.23-r0"),
            ("ALPINE-CVE-2021-38370", "Alpine:v3.15", "alpine", "Introduced:0,Fixed:2.25-r0"),
        }));
    }

    [Test]
    public async Task Wolfi_and_Chainguard_files_are_told_apart_and_ids_fixed_at_version_zero_are_left_out()
    {
        var wolfi = await Read("wolfi-security.json");
        var chainguard = await Read("chainguard-security.json");
        Assert.Multiple(() =>
        {
            Assert.That(wolfi.Source, Is.EqualTo("alpine-secdb:wolfi"));
            Assert.That(Rows(wolfi), Does.Contain(("WOLFI-CVE-2022-43551", "Wolfi", "curl", "Introduced:0,Fixed:7.87.0-r0")));
            Assert.That(Rows(chainguard), Does.Contain(("CHAINGUARD-CVE-2022-31130", "Chainguard", "grafana", "Introduced:0,Fixed:7.5.19-r0")));
            // coreutils lists CVE-2016-2781 under "0" in both: never affected.
            Assert.That(wolfi.Advisories.Select(a => a.Advisory.Id), Has.None.EqualTo("WOLFI-CVE-2016-2781"));
            Assert.That(chainguard.Advisories.Select(a => a.Advisory.Id), Has.None.EqualTo("CHAINGUARD-CVE-2016-2781"));
            Assert.That(wolfi.Skipped.Concat(chainguard.Skipped), Is.Empty);
        });
    }

    [Test]
    public async Task Files_of_several_releases_merge_into_one_record_per_CVE()
    {
        // The v3.15 file read a second time as if it were v3.16's: the same CVE in two releases.
        var merged = NativeFeed.MergeById("alpine-secdb", [await Read("v3.15-main.yaml"), await Read("v3.15-main.yaml", "Alpine:v3.16"), await Read("v3.12-main.json")]);
        Assert.That(merged.Advisories, Has.Count.EqualTo(14));
        Assert.That(Rows(merged).Where(r => r.Id == "ALPINE-CVE-2022-37434"), Is.EqualTo(new[]
        {
            ("ALPINE-CVE-2022-37434", "Alpine:v3.15", "zlib", "Introduced:0,Fixed:1.2.12-r2"),
            ("ALPINE-CVE-2022-37434", "Alpine:v3.16", "zlib", "Introduced:0,Fixed:1.2.12-r2"),
        }));
        Assert.That(merged.Skipped.Select(s => s.Name), Is.EqualTo(new[] { "alpine-secdb:v3.12: ansible@2.8.0-r0" }));
    }

    [Test]
    public async Task Yaml_with_quoted_keys_comments_and_an_empty_secfixes_map_is_read()
    {
        const string text = """
            # a hand-written secdb slice
            distroversion: 'v3.19'
            reponame: main
            packages:
              - pkg:
                  name: busybox
                  secfixes:
                    '0':
                      - CVE-2021-42373
                    "1.36.1-r2":
                      - CVE-2022-48174
                      - CVE-2023-42363 CVE-2023-42364
                  pkgver: 1.36.1-r5
              - pkg:
                  name: empty
                  secfixes: {}
            """;
        var feed = await SourceTestStore.ReadTextAsync(new AlpineSecdbSource(), text);
        Assert.That(feed.Skipped, Is.Empty);
        Assert.That(Rows(feed), Is.EqualTo(new[]
        {
            ("ALPINE-CVE-2022-48174", "Alpine:v3.19", "busybox", "Introduced:0,Fixed:1.36.1-r2"),
            ("ALPINE-CVE-2023-42363", "Alpine:v3.19", "busybox", "Introduced:0,Fixed:1.36.1-r2"),
            ("ALPINE-CVE-2023-42364", "Alpine:v3.19", "busybox", "Introduced:0,Fixed:1.36.1-r2"),
        }));
    }

    [TestCase("{\"packages\": [{\"pkg\": {\"name\": \"x\", \"secfixes\": {\"1.0-r0\": [\"CVE-2020-1\"]}}}]}")] // no distroversion, not Wolfi
    [TestCase("{\"distroversion\": \"v3.18\", \"packages\": [{\"pkg\": {}}, 7, {\"pkg\": {\"name\": \"x\", \"secfixes\": {\"not a version\": [\"CVE-2020-1\"], \"1.0-r0\": [\"<script>\"]}}}]}")]
    [TestCase("{\"distroversion\": \"v3.18\", \"packages\": 5}")]
    [TestCase("{ broken")]
    public async Task Bad_input_is_reported_never_thrown(string text)
    {
        var feed = await SourceTestStore.ReadTextAsync(new AlpineSecdbSource(), text);
        Assert.That(feed.Skipped, Is.Not.Empty);
        Assert.That(feed.Advisories, Is.Empty);
    }

    [Test]
    public async Task Stored_and_matched_an_apk_package_below_the_fix_is_affected_and_re_import_is_unchanged()
    {
        using var test = new SourceTestStore();
        var feed = await Read("v3.15-main.yaml");
        var first = await NativeFeed.StoreAsync(test.Store, feed);
        Assert.That(first.Added, Is.EqualTo(13));

        var alpine = new Distribution("alpine", "3.15.4", null, "Alpine Linux v3.15");
        var matcher = new VulnerabilityMatcher(test.Store);
        IEcosystem[] ecosystems = [new AlpineEcosystem(), new WolfiEcosystem()];
        var matches = await matcher.MatchAsync([Apk("zlib", "1.2.12-r1")], alpine, ecosystems);
        Assert.That(matches.Select(m => (m.VulnerabilityId, m.FixedInVersion, m.Severity)), Is.EqualTo(new[]
        {
            ("ALPINE-CVE-2022-37434", (string?)"1.2.12-r2", Severity.Untriaged), // secdb carries no severity
        }));
        Assert.That(await matcher.MatchAsync([Apk("zlib", "1.2.12-r2")], alpine, ecosystems), Is.Empty);
        var old = await matcher.MatchAsync([Apk("zlib", "1.2.11-r3")], alpine, ecosystems);
        Assert.That(old.Select(m => m.VulnerabilityId), Is.EqualTo(new[] { "ALPINE-CVE-2018-25032", "ALPINE-CVE-2022-37434" }));

        var again = await NativeFeed.StoreAsync(test.Store, await Read("v3.15-main.yaml"));
        Assert.That((again.Added, again.Changed, again.MetadataChanged, again.Unchanged), Is.EqualTo((0, 0, 0, 13)));
    }

    [Test]
    public async Task Wolfi_records_match_through_the_Wolfi_ecosystem()
    {
        using var test = new SourceTestStore();
        await NativeFeed.StoreAsync(test.Store, await Read("wolfi-security.json"));
        var wolfi = new Distribution("wolfi", "20230201", null, "Wolfi");
        var matches = await new VulnerabilityMatcher(test.Store)
            .MatchAsync([Apk("curl", "7.86.0-r0")], wolfi, [new AlpineEcosystem(), new WolfiEcosystem()]);
        Assert.That(matches.Select(m => (m.VulnerabilityId, m.AdvisoryEcosystem, m.FixedInVersion)), Is.EqualTo(new[]
        {
            ("WOLFI-CVE-2022-43551", "Wolfi", (string?)"7.87.0-r0"),
            ("WOLFI-CVE-2022-43552", "Wolfi", "7.87.0-r0"),
        }));
    }

    [Test]
    public async Task The_raw_json_of_a_record_is_OSV_that_parses_back()
    {
        var advisory = (await Read("edge-main.json")).Advisories.First();
        var reparsed = OsvParser.Parse(advisory.RawJson);
        Assert.That((reparsed.Id, reparsed.Affected.Single().Package!.Ecosystem, reparsed.Affected.Single().Package!.Purl),
            Is.EqualTo(("ALPINE-CVE-2021-30139", "Alpine:edge", "pkg:apk/alpine/apk-tools?arch=source")));
        Assert.That(advisory.RawJson, Does.Contain("\"upstream\""));
    }

    private static Package Apk(string name, string version) => new()
    {
        Name = name, Version = version, Type = "apk", SourceName = name, SourceVersion = version,
        Architecture = "x86_64", FilePath = "lib/apk/db/installed", LayerDigest = "sha256:l0",
    };
}
