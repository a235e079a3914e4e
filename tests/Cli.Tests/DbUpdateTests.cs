using System.Text.Json.Nodes;
using ImageScanning.Cli.Cli;
using ImageScanning.Cli.Database;
using ImageScanning.TestSupport;

namespace ImageScanning.Cli.Tests;

/// <summary>
/// `imagescan db update` against a real HTTP server laid out like osv.dev's bucket (<see cref="OsvMirror"/>), serving the
/// corpus's Debian OSV records: the first update reads modified_id.csv and all.zip, later ones only the records modified since.
/// </summary>
[NonParallelizable]
public sealed class DbUpdateTests
{
    private OsvMirror mirror = null!;
    private string cache = "";

    private static readonly string[] DebianIds = ["DLA-3008-1", "DLA-3012-1", "DLA-3022-1", "DLA-3051-1", "DSA-3029-1", "DSA-5474-1"];

    [SetUp]
    public async Task StartMirrorAsync()
    {
        mirror = await OsvMirror.StartAsync();
        foreach (var file in Directory.GetFiles(Corpus.PathOf("osv", "debian"), "*.json")) mirror.Put("Debian", File.ReadAllText(file));
        cache = CliRun.NewCacheDir();
    }

    [TearDown]
    public async Task StopMirrorAsync() => await mirror.DisposeAsync();

    private Task<(int Exit, string Stdout, string Stderr)> UpdateAsync(string ecosystem = "Debian") =>
        CliRun.RunAsync("db", "update", "--source", $"{ecosystem}={mirror.AllZipUrl(ecosystem)}", "--cache-dir", cache);

    private async Task<JsonObject> StatusAsync()
    {
        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "status", "--format", "json", "--cache-dir", cache);
        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private IReadOnlyList<string> RequestedPaths() => mirror.TakeRequests().Select(r => $"{r.Status} {r.Path}").ToList();

    /// <summary>
    /// The default sources are the catalog's: every ecosystem the engine keys has its osv.dev export or its vendor's feed among
    /// them (an OS added to the catalog is updated with no change here), and only osv.dev's bucket and the vendors' hosts.
    /// </summary>
    [Test]
    public void Default_sources_cover_every_ecosystem_of_the_catalog()
    {
        var defaults = UpdateSources.Defaults();
        Assert.Multiple(() =>
        {
            Assert.That(defaults.Select(d => d.Name), Is.Unique);
            Assert.That(defaults.Select(d => d.Name), Is.SupersetOf(new[] { "Debian", "Ubuntu", "Red Hat", "SUSE", "openSUSE", "Go", "PyPI", "oracle-oval" }));
            Assert.That(defaults.Select(d => d.Name), Has.None.EqualTo("Amazon Linux").And.None.EqualTo("Oracle Linux"), "osv.dev has no such folder");
            Assert.That(defaults.Select(d => d.Url.Host).Distinct(), Is.EquivalentTo(new[] { "osv-vulnerabilities.storage.googleapis.com", "linux.oracle.com" }));
            foreach (var ecosystem in ImageScanning.ScanEngine.Ecosystems.EcosystemCatalog.All())
                Assert.That(ecosystem.OsvDevExports.All(e => defaults.Any(d => d.Name == e)) && (ecosystem.OsvDevExports.Count > 0 || ecosystem.NativeFeeds.Count > 0),
                    ecosystem.Name);
        });
    }

    [Test]
    public async Task The_first_update_imports_all_zip_after_reading_the_watermark_from_modified_id_csv()
    {
        var (exit, stdout, stderr) = await UpdateAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(RequestedPaths(), Is.EqualTo(new[] { "200 /Debian/modified_id.csv", "200 /Debian/all.zip" }));
        Assert.That(stdout, Does.Contain("Debian (all.zip): 6 records: 6 new, 0 changed, 0 metadata changed, 0 unchanged, 0 failed"));
        // (A char test: culture-aware string search ignores control characters.)
        Assert.That(stdout.Contains('\u001b'), Is.False, "redirected output is plain lines, no progress bar");
        Assert.That(stderr, Is.Empty);
        var status = await StatusAsync();
        var source = status["sources"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((long?)status["advisories"], Is.EqualTo(6));
            Assert.That((string?)source["name"], Is.EqualTo("Debian"));
            Assert.That((string?)source["kind"], Is.EqualTo("osv-ecosystem"));
            Assert.That((string?)source["location"], Is.EqualTo(mirror.AllZipUrl("Debian")));
            Assert.That((long?)source["records"], Is.EqualTo(6));
            Assert.That((string?)source["watermark"], Is.EqualTo("2026-03-09T02:11:37.555571Z"), "the newest line of modified_id.csv (DSA-5474-1)");
            Assert.That((string?)source["etag"], Does.StartWith("\""));
            Assert.That((long?)status["ecosystems"]!["Debian:9"], Is.EqualTo(4));
            Assert.That((long?)status["ecosystems"]!["Debian:12"], Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_second_update_fetches_exactly_the_records_modified_since_the_watermark()
    {
        await UpdateAsync();
        mirror.TakeRequests();
        mirror.Touch("Debian", "DLA-3012-1", "2026-11-20T10:00:00Z", "libxml2 - security update (revised)");
        mirror.Put("Debian", Record("DEBIAN-TEST-1", "2026-11-21T08:00:00Z", "Debian:12", "acl", "2.3.1-3+deb12u1"));

        var (exit, stdout, stderr) = await UpdateAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(RequestedPaths(), Is.EquivalentTo(new[] { "200 /Debian/modified_id.csv", "200 /Debian/DEBIAN-TEST-1.json", "200 /Debian/DLA-3012-1.json" }));
        Assert.That(stdout, Does.Contain("Debian (2 changed since 2026-03-09T02:11:37.555571Z): 2 records: 1 new, 0 changed, 1 metadata changed, 0 unchanged, 0 failed"));
        var status = await StatusAsync();
        var source = status["sources"]!.AsArray().Single()!;
        Assert.That((long?)status["advisories"], Is.EqualTo(7));
        Assert.That((long?)source["records"], Is.EqualTo(7), "an incremental update adds its new records to the source's count");
        Assert.That((string?)source["watermark"], Is.EqualTo("2026-11-21T08:00:00Z"));

        var (again, againOut, _) = await UpdateAsync();
        Assert.That(again, Is.EqualTo(ImageScanCommand.Clean));
        Assert.That(RequestedPaths(), Is.EqualTo(new[] { "200 /Debian/modified_id.csv" }), "nothing newer: only the list is read");
        Assert.That(againOut, Does.Contain("Debian: up to date (nothing in modified_id.csv after 2026-11-21T08:00:00Z)"));
    }

    [Test]
    public async Task A_server_error_is_named_and_leaves_the_database_as_it_was()
    {
        await UpdateAsync();
        var before = await StatusAsync();
        mirror.Put("Debian", Record("DEBIAN-TEST-1", "2026-11-21T08:00:00Z", "Debian:12", "acl", "2.3.1-3+deb12u1"));
        mirror.Touch("Debian", "DLA-3012-1", "2026-11-22T10:00:00Z", "libxml2 - revised");
        mirror.FailWith("/Debian/DLA-3012-1.json", 500);
        mirror.TakeRequests();

        var (exit, stdout, stderr) = await UpdateAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain($"Debian: GET {new Uri(mirror.BaseAddress, "/Debian/DLA-3012-1.json")} answered 500 Internal Server Error")
            .And.Contain("The database keeps what it had from this source"));
        Assert.That(stdout, Is.Empty);
        var after = await StatusAsync();
        Assert.That((long?)after["advisories"], Is.EqualTo(6), "DEBIAN-TEST-1 was downloaded but not stored: the update failed as a whole");
        Assert.That(after["sources"]!.ToJsonString(), Is.EqualTo(before["sources"]!.ToJsonString()), "watermark, counts and dates unchanged");

        mirror.Recover("/Debian/DLA-3012-1.json");
        var (retry, retryOut, retryErr) = await UpdateAsync();
        Assert.That(retry, Is.EqualTo(ImageScanCommand.Clean), retryErr);
        Assert.That(retryOut, Does.Contain("2 records: 1 new"), "the next run fetches the same records again");
    }

    [Test]
    public async Task A_failed_first_download_stores_nothing()
    {
        mirror.FailWith("/Debian/all.zip", 503);

        var (exit, _, stderr) = await UpdateAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain("/Debian/all.zip answered 503 Service Unavailable"));
        var status = await StatusAsync();
        Assert.That((long?)status["advisories"], Is.Zero);
        Assert.That(status["sources"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Without_a_modified_id_csv_all_zip_is_fetched_again_only_when_its_ETag_changed()
    {
        mirror.WithoutModifiedIds("Debian");
        await UpdateAsync();
        var first = mirror.TakeRequests();
        var storedETag = (string?)(await StatusAsync())["sources"]![0]!["etag"];

        var (exit, stdout, stderr) = await UpdateAsync();
        var second = mirror.TakeRequests();
        mirror.Put("Debian", Record("DEBIAN-TEST-1", "2026-11-21T08:00:00Z", "Debian:12", "acl", "2.3.1-3+deb12u1"));
        var (_, thirdOut, _) = await UpdateAsync();
        var third = mirror.TakeRequests();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(first.Select(r => (r.Path, r.Status, r.IfNoneMatch)), Is.EqualTo(new[] { ("/Debian/modified_id.csv", 404, (string?)null), ("/Debian/all.zip", 200, null) }));
        var etag = second.Single(r => r.Path == "/Debian/all.zip");
        Assert.That((etag.Status, etag.IfNoneMatch), Is.EqualTo((304, storedETag)), "If-None-Match is the ETag stored by the first update");
        Assert.That(stdout, Does.Contain("Debian: all.zip not modified (ETag"));
        Assert.That(third.Single(r => r.Path == "/Debian/all.zip").Status, Is.EqualTo(200));
        Assert.That(thirdOut, Does.Contain("Debian (all.zip): 7 records: 1 new, 0 changed, 0 metadata changed, 6 unchanged"));
    }

    [Test]
    public async Task Only_the_configured_urls_are_contacted_and_a_config_file_names_the_sources()
    {
        File.WriteAllText(Path.Combine(cache, "config.json"), $$"""{"sources": [{"name": "debian-mirror", "url": "{{mirror.AllZipUrl("Debian")}}"}]}""");

        var (exit, stdout, stderr) = await CliRun.RunAsync("db", "update", "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Clean), stderr);
        Assert.That(stdout, Does.Contain("debian-mirror (all.zip): 6 records"));
        Assert.That(mirror.TakeRequests().Select(r => r.Path), Is.All.StartsWith("/Debian/"));
    }

    [Test]
    public async Task A_native_feed_url_is_recognised_by_content_and_fetched_again_only_when_changed()
    {
        mirror.PutFile("tracker", File.ReadAllBytes(Corpus.PathOf("native", "debian-tracker", "vunnel-debian.json")));
        var source = $"debian-tracker={mirror.FileUrl("tracker")}";

        var first = await CliRun.RunAsync("db", "update", "--source", source, "--cache-dir", cache);
        var second = await CliRun.RunAsync("db", "update", "--source", source, "--cache-dir", cache);

        Assert.That(first.Exit, Is.EqualTo(ImageScanCommand.Clean), first.Stderr);
        Assert.That(first.Stdout, Does.Contain("debian-tracker (tracker): 7 records: 6 new"));
        Assert.That(first.Stderr, Does.Contain("chromium-browser/CVE-2022-0358 was not imported"), "the corpus file's one bad entry is named");
        Assert.That(second.Stdout, Does.Contain("debian-tracker: not modified (ETag"));
        Assert.That(mirror.TakeRequests().Select(r => (r.Status, r.IfNoneMatch is not null)), Is.EqualTo(new[] { (200, false), (304, true) }));
        var status = await StatusAsync();
        Assert.That((string?)status["sources"]![0]!["kind"], Is.EqualTo("debian-tracker"));
        Assert.That((long?)status["advisories"], Is.EqualTo(6));
    }

    [Test]
    public async Task A_redirect_to_another_host_is_reported_not_followed()
    {
        await using var elsewhere = await OsvMirror.StartAsync();
        foreach (var file in Directory.GetFiles(Corpus.PathOf("osv", "debian"), "*.json")) elsewhere.Put("Debian", File.ReadAllText(file));
        mirror.Redirect("/Debian/all.zip", elsewhere.AllZipUrl("Debian"));

        var (exit, _, stderr) = await UpdateAsync();

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain("/Debian/all.zip answered 302 Found"));
        Assert.That(elsewhere.Requests, Is.Empty, "only the configured URL's server is contacted");
    }

    [TestCase("Debian", "--source takes NAME=URL")]
    [TestCase("Debian=ftp://example/all.zip", "is not an http(s) URL")]
    public async Task A_bad_source_option_is_a_usage_error(string option, string message)
    {
        var (exit, _, stderr) = await CliRun.RunAsync("db", "update", "--source", option, "--cache-dir", cache);

        Assert.That(exit, Is.EqualTo(ImageScanCommand.Error));
        Assert.That(stderr, Does.Contain(message));
    }

    private static string Record(string id, string modified, string ecosystem, string package, string fixedIn) => new JsonObject
    {
        ["id"] = id,
        ["modified"] = modified,
        ["summary"] = $"{package} - test advisory",
        ["affected"] = new JsonArray(new JsonObject
        {
            ["package"] = new JsonObject { ["ecosystem"] = ecosystem, ["name"] = package },
            ["ranges"] = new JsonArray(new JsonObject
            {
                ["type"] = "ECOSYSTEM",
                ["events"] = new JsonArray(new JsonObject { ["introduced"] = "0" }, new JsonObject { ["fixed"] = fixedIn }),
            }),
        }),
    }.ToJsonString();
}
