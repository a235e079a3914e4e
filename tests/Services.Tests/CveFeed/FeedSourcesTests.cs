using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>
/// The CveFeed service with configured sources served by a real HTTP feed server: conditional fetches of the whole
/// go-vulndb feed, per-advisory change detection, failures recorded without losing data, the status API and metrics.
/// </summary>
[NonParallelizable]
public sealed class FeedSourcesTests
{
    private static readonly DateTimeOffset Published = new(2026, 8, 21, 20, 38, 0, TimeSpan.Zero);

    private string directory = "";
    private FeedServer server = null!;

    [SetUp]
    public async Task SetUp()
    {
        directory = Directory.CreateTempSubdirectory("cvefeed-sources-").FullName;
        server = await FeedServer.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await server.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private static byte[] GoFeed() => File.ReadAllBytes(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));

    /// <summary>The feed's records, parsed: what the expectations are computed from.</summary>
    private static List<OsvAdvisory> GoRecords()
    {
        using var zip = ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));
        return zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.Ordinal))
            .Select(e => { using var r = new StreamReader(e.Open()); return OsvParser.Parse(r.ReadToEnd()); }).ToList();
    }

    private Task<CveFeedHost> StartFeedAsync(params (string Name, string Kind, string Location, string Interval)[] sources) =>
        CveFeedHost.StartAsync(directory, sources.SelectMany((s, i) => new Dictionary<string, string?>
        {
            [$"CveFeed:Sources:{i}:Name"] = s.Name,
            [$"CveFeed:Sources:{i}:Kind"] = s.Kind,
            [$"CveFeed:Sources:{i}:{(s.Location.StartsWith("http", StringComparison.Ordinal) ? "Url" : "Path")}"] = s.Location,
            [$"CveFeed:Sources:{i}:Interval"] = s.Interval,
        }).ToDictionary());

    private static async Task<JsonElement> RefreshAsync(CveFeedHost feed, string name)
    {
        var response = await feed.Client.PostAsync($"/api/v1/feeds/{name}/refresh", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<Dictionary<string, JsonElement>> FeedsAsync(CveFeedHost feed)
    {
        var body = await feed.Client.GetFromJsonAsync<JsonElement>("/api/v1/feeds");
        return body.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
    }

    [Test]
    public async Task The_whole_go_feed_is_imported_once_and_an_unchanged_feed_costs_one_304_and_publishes_nothing()
    {
        var records = GoRecords();
        server.Put("go.zip", GoFeed(), Published);
        await using var feed = await StartFeedAsync(("go", "osv-zip-url", server.UrlOf("go.zip"), "00:00:00"));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var first = await RefreshAsync(feed, "go");
        TestContext.Out.WriteLine($"first run (download + import of {records.Count} records): {clock.ElapsedMilliseconds} ms");
        var announced = await feed.WaitForNewCvesAsync(records.Count(r => !r.IsWithdrawn), TimeSpan.FromSeconds(60));
        Assert.Multiple(async () =>
        {
            Assert.That(first.GetProperty("lastOutcome").GetString(), Is.EqualTo("changed"));
            Assert.That(first.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(records.Count), "every record of the zip");
            Assert.That(await feed.Advisories.CountAsync(), Is.EqualTo(records.Count));
            Assert.That(announced.Select(e => e.VulnerabilityId), Is.EquivalentTo(records.Where(r => !r.IsWithdrawn).Select(r => r.Id)),
                "one NewCveAdded per new, not withdrawn advisory");
        });
        var lastChanged = await feed.Advisories.LastChangedAsync();

        clock.Restart();
        var second = await RefreshAsync(feed, "go");
        TestContext.Out.WriteLine($"second run (304): {clock.ElapsedMilliseconds} ms");
        var after = await feed.WaitForNewCvesAsync(announced.Count + 1, TimeSpan.FromSeconds(2));
        Assert.Multiple(async () =>
        {
            Assert.That(second.GetProperty("lastOutcome").GetString(), Is.EqualTo("not_modified"));
            Assert.That(second.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(records.Count), "kept from the last import");
            Assert.That(server.Count("/files/go.zip", 304), Is.EqualTo(1));
            Assert.That(server.Requests.Last().IfNoneMatch, Is.EqualTo(first.GetProperty("eTag").GetString()));
            Assert.That(await feed.Advisories.LastChangedAsync(), Is.EqualTo(lastChanged), "nothing stored");
            Assert.That(after, Has.Count.EqualTo(announced.Count), "no NewCveAdded for an unchanged feed");

            Assert.That(feed.Metric("imagescanning.feed.runs", "go", "changed"), Is.EqualTo(1));
            Assert.That(feed.Metric("imagescanning.feed.runs", "go", "not_modified"), Is.EqualTo(1));
            Assert.That(feed.Metric("imagescanning.feed.advisories", "go"), Is.EqualTo(records.Count));
            Assert.That(feed.Metric("imagescanning.feed.last_success", "go"),
                Is.EqualTo(DateTimeOffset.Parse(second.GetProperty("lastSuccess").GetString()!).ToUnixTimeMilliseconds() / 1000.0));
        });
    }

    [Test]
    public async Task A_changed_feed_reimports_only_the_changed_advisories_and_announces_only_changed_ranges()
    {
        server.Put("go.zip", GoFeed(), Published);
        await using var feed = await StartFeedAsync(("go", "osv-zip-url", server.UrlOf("go.zip"), "00:00:00"));
        await RefreshAsync(feed, "go");
        var initial = await feed.WaitForNewCvesAsync(GoRecords().Count(r => !r.IsWithdrawn), TimeSpan.FromSeconds(60));

        // A new release of the feed: one record's fixed version moves (affected data), another's summary (metadata).
        server.Put("go.zip", Edit(GoFeed(), new()
        {
            ["GO-2020-0001.json"] = r => r["affected"]![0]!["ranges"]![0]!["events"]![1]!["fixed"] = "1.6.1",
            ["GO-2020-0003.json"] = r => r["summary"] = "Summary reworded upstream",
        }), Published.AddDays(1));
        var changed = await RefreshAsync(feed, "go");
        var after = await feed.WaitForNewCvesAsync(initial.Count + 1, TimeSpan.FromSeconds(10));

        Assert.Multiple(async () =>
        {
            Assert.That(changed.GetProperty("lastOutcome").GetString(), Is.EqualTo("changed"));
            Assert.That(changed.GetProperty("lastChangeCount").GetInt32(), Is.EqualTo(2), "two records differ, the rest are Unchanged");
            Assert.That(after.Skip(initial.Count).Select(e => e.VulnerabilityId), Is.EqualTo(new[] { "GO-2020-0001" }),
                "the metadata-only change announces nothing");
            Assert.That((await feed.Advisories.GetAsync("GO-2020-0003"))!.Summary, Is.EqualTo("Summary reworded upstream"));
        });
    }

    private static byte[] Edit(byte[] zip, Dictionary<string, Action<JsonObject>> edits)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                if (edits.TryGetValue(entry.FullName, out var edit))
                {
                    var record = JsonNode.Parse(text)!.AsObject();
                    edit(record);
                    text = record.ToJsonString();
                }
                using var writer = new StreamWriter(target.CreateEntry(entry.FullName).Open());
                writer.Write(text);
            }
        }
        return output.ToArray();
    }

    [Test]
    public async Task Failing_sources_record_their_errors_while_the_scheduler_still_imports_the_others()
    {
        server.Put("tracker.json", File.ReadAllBytes(Corpus.PathOf("native", "debian-tracker", "osvdev-debian_security_tracker_mock.json")), Published);
        server.Put("broken.zip", GoFeed(), Published);
        server.FailWith("broken.zip", 500);
        server.Put("truncated.zip", GoFeed(), Published);
        server.Truncate("truncated.zip");
        server.Put("secdb.json", "{\"distroversion\": \"v3.12\", \"packages\": [ {\"pkg\": "u8.ToArray(), Published);
        await using var feed = await StartFeedAsync(
            ("broken", "osv-zip-url", server.UrlOf("broken.zip"), "00:00:01"),
            ("truncated", "osv-zip-url", server.UrlOf("truncated.zip"), "00:00:01"),
            ("alpine", "alpine-secdb-url", server.UrlOf("secdb.json"), "00:00:01"),
            ("debian", "debian-tracker-url", server.UrlOf("tracker.json"), "00:00:01"));

        // The scheduler runs every source at start and then each second.
        Dictionary<string, JsonElement> feeds;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(250);
            feeds = await FeedsAsync(feed);
        }
        while (DateTime.UtcNow < deadline && feeds.Values.Any(s => s.GetProperty("lastAttempt").ValueKind == JsonValueKind.Null));

        Assert.Multiple(async () =>
        {
            Assert.That(feeds["broken"].GetProperty("lastOutcome").GetString(), Is.EqualTo("failed"));
            Assert.That(feeds["broken"].GetProperty("lastError").GetString(), Does.Contain("500"));
            Assert.That(feeds["broken"].GetProperty("lastSuccess").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(server.Count("/files/broken.zip", 500), Is.GreaterThanOrEqualTo(2), "retried by the resilience pipeline");
            Assert.That(feeds["truncated"].GetProperty("lastError").GetString(), Does.Contain("zip"));
            Assert.That(feeds["alpine"].GetProperty("lastOutcome").GetString(), Is.EqualTo("failed"));
            Assert.That(feeds["debian"].GetProperty("lastOutcome").GetString(), Is.AnyOf("changed", "not_modified"));
            Assert.That(feeds["debian"].GetProperty("advisoryCount").GetInt64(), Is.EqualTo(3));
            Assert.That(await feed.Advisories.CountAsync(), Is.EqualTo(3), "only the tracker's records");
            Assert.That(feed.Metric("imagescanning.feed.runs", "broken", "failed"), Is.GreaterThanOrEqualTo(1));
            Assert.That(feed.Metric("imagescanning.feed.last_success", "broken"), Is.Null, "never succeeded");
        });

        var anonymous = new HttpClient { BaseAddress = feed.Client.BaseAddress };
        Assert.That((await anonymous.GetAsync("/api/v1/feeds")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.PostAsync("/api/v1/feeds/debian/refresh", null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await feed.Client.PostAsync("/api/v1/feeds/nope/refresh", null)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_feed_that_breaks_after_a_success_keeps_every_advisory_and_its_last_success()
    {
        server.Put("go.zip", GoFeed(), Published);
        await using var feed = await StartFeedAsync(("go", "osv-zip-url", server.UrlOf("go.zip"), "00:00:00"));
        var ok = await RefreshAsync(feed, "go");
        var count = await feed.Advisories.CountAsync();

        server.Truncate("go.zip");
        var truncated = await RefreshAsync(feed, "go");
        server.FailWith("go.zip", 503);
        var unavailable = await RefreshAsync(feed, "go");
        server.Stall("go.zip", TimeSpan.FromSeconds(30));
        var hung = await RefreshAsync(feed, "go");

        Assert.Multiple(async () =>
        {
            Assert.That(truncated.GetProperty("lastOutcome").GetString(), Is.EqualTo("failed"));
            Assert.That(unavailable.GetProperty("lastError").GetString(), Does.Contain("503"));
            Assert.That(hung.GetProperty("lastError").GetString(), Does.StartWith("Timed out"), "two 3 s attempts, then given up");
            Assert.That(hung.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(count));
            Assert.That(unavailable.GetProperty("lastSuccess").GetString(), Is.EqualTo(ok.GetProperty("lastSuccess").GetString()));
            Assert.That(unavailable.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(count));
            Assert.That(unavailable.GetProperty("eTag").GetString(), Is.EqualTo(ok.GetProperty("eTag").GetString()), "validators of the last good import");
            Assert.That(await feed.Advisories.CountAsync(), Is.EqualTo(count), "nothing deleted");
        });
    }

    [TestCase(false, "is ")]
    [TestCase(true, "goes on past")]
    public async Task A_download_larger_than_MaxDownloadBytes_fails_naming_the_limit_whatever_the_encoding(bool chunked, string reason)
    {
        server.Put("go.zip", GoFeed(), Published);
        if (chunked) server.Chunk("go.zip");
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>
        {
            ["CveFeed:Sources:0:Name"] = "go",
            ["CveFeed:Sources:0:Kind"] = "osv-zip-url",
            ["CveFeed:Sources:0:Url"] = server.UrlOf("go.zip"),
            ["CveFeed:Sources:0:Interval"] = "00:00:00",
            ["CveFeed:Http:MaxDownloadBytes"] = "4096",
        });

        var refused = await RefreshAsync(feed, "go");

        Assert.That(refused.GetProperty("lastOutcome").GetString(), Is.EqualTo("failed"));
        Assert.That(refused.GetProperty("lastError").GetString(), Does.Contain(reason).And.Contain("4096 bytes CveFeed:Http:MaxDownloadBytes allows"));
        Assert.That(await feed.Advisories.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task Uploads_appear_as_the_upload_source()
    {
        await using var feed = await StartFeedAsync();
        var record = File.ReadAllText(Corpus.PathOf("osv", "debian", "DLA-3008-1.json"));
        var response = await feed.Client.PostAsync("/api/v1/advisories", new StringContent(record, System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var upload = (await FeedsAsync(feed))["upload"];
        Assert.Multiple(() =>
        {
            Assert.That(upload.GetProperty("kind").GetString(), Is.EqualTo("upload"));
            Assert.That(upload.GetProperty("lastOutcome").GetString(), Is.EqualTo("changed"));
            Assert.That(upload.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(1));
            Assert.That(feed.Metric("imagescanning.feed.runs", "upload", "changed"), Is.EqualTo(1));
        });
    }
}
