using System.Net.Http.Json;
using System.Text.Json;
using System.Web;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>
/// nvd-api against a real HTTP server answering with the corpus's NVD CVE API 2.0 records, paged: CVSS lands on
/// the stored Debian tracker advisories that lacked one, the API key travels only in its header, the next run
/// resumes from the last window, and enrichment (metadata) announces no re-scan.
/// </summary>
[NonParallelizable]
public sealed class NvdFeedSourceTests
{
    private const string ApiKey = "nvd-key-must-not-leak-0123456789";

    private string directory = "";
    private FeedServer server = null!;

    [SetUp]
    public async Task SetUp()
    {
        directory = Directory.CreateTempSubdirectory("cvefeed-nvd-").FullName;
        server = await FeedServer.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await server.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>The `vulnerabilities` item of a single-CVE API 2.0 response of the corpus.</summary>
    private static string Item(string cve)
    {
        using var response = JsonDocument.Parse(File.ReadAllText(Corpus.PathOf("native", "nvd", "api2-responses", cve + ".json")));
        return response.RootElement.GetProperty("vulnerabilities")[0].GetRawText();
    }

    [Test]
    public async Task NVD_CVSS_lands_on_stored_advisories_without_one_and_the_key_stays_in_its_header()
    {
        server.Put("tracker.json", File.ReadAllBytes(Corpus.PathOf("native", "debian-tracker", "osvdev-debian_security_tracker_mock.json")), DateTimeOffset.UnixEpoch);
        server.SetNvdItems([Item("CVE-2017-6507"), Item("CVE-2016-1585"), Item("CVE-2014-1424")]);
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>
        {
            ["CveFeed:Sources:0:Name"] = "debian",
            ["CveFeed:Sources:0:Kind"] = "debian-tracker-url",
            ["CveFeed:Sources:0:Url"] = server.UrlOf("tracker.json"),
            ["CveFeed:Sources:0:Interval"] = "00:00:00",
            ["CveFeed:Sources:1:Name"] = "nvd",
            ["CveFeed:Sources:1:Kind"] = "nvd-api",
            ["CveFeed:Sources:1:Url"] = server.NvdUrl,
            ["CveFeed:Sources:1:Interval"] = "00:00:00",
            ["CveFeed:Sources:1:ApiKey"] = ApiKey,
            ["CveFeed:Sources:1:PageSize"] = "2",
        });
        await feed.Client.PostAsync("/api/v1/feeds/debian/refresh", null);
        var announcedByTracker = await feed.WaitForNewCvesAsync(3, TimeSpan.FromSeconds(10));
        Assert.That((await feed.Advisories.GetAsync("DEBIAN-CVE-2016-1585"))!.Severity, Is.Empty, "the tracker gives no CVSS");

        var first = await (await feed.Client.PostAsync("/api/v1/feeds/nvd/refresh", null)).Content.ReadFromJsonAsync<JsonElement>();
        var nvdRequests = server.Requests.Where(r => r.Path == "/nvd").ToList();
        var afterNvd = await feed.WaitForNewCvesAsync(announcedByTracker.Count + 1, TimeSpan.FromSeconds(2));

        Assert.Multiple(async () =>
        {
            Assert.That(first.GetProperty("lastOutcome").GetString(), Is.EqualTo("changed"));
            Assert.That(first.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(2), "two CVEs had a v3.x vector; CVE-2014-1424 has only v2");
            Assert.That((await feed.Advisories.GetAsync("DEBIAN-CVE-2016-1585"))!.Severity.Select(s => (s.Type, s.Score)),
                Is.EqualTo(new[] { ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") }));
            Assert.That((await feed.Advisories.GetAsync("DEBIAN-CVE-2017-6507"))!.Severity.Select(s => s.Score),
                Is.EqualTo(new[] { "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N" }));
            Assert.That((await feed.Advisories.GetAsync("DEBIAN-CVE-2014-1424"))!.Severity, Is.Empty);
            Assert.That(nvdRequests.Select(r => HttpUtility.ParseQueryString(r.Query)["startIndex"]), Is.EqualTo(new[] { "0", "2" }), "paged");
            Assert.That(nvdRequests.Select(r => r.ApiKey), Is.All.EqualTo(ApiKey));
            Assert.That(nvdRequests.Select(r => r.Query), Is.All.Not.Contains(ApiKey));
            Assert.That(HttpUtility.ParseQueryString(nvdRequests[0].Query)["lastModEndDate"], Does.EndWith("+00:00"));
            Assert.That(afterNvd, Has.Count.EqualTo(announcedByTracker.Count), "a severity is metadata: no re-scan");
        });

        var second = await (await feed.Client.PostAsync("/api/v1/feeds/nvd/refresh", null)).Content.ReadFromJsonAsync<JsonElement>();
        var resumed = HttpUtility.ParseQueryString(server.Requests.Last(r => r.Path == "/nvd").Query);
        var status = await feed.Client.GetStringAsync("/api/v1/feeds");
        Assert.Multiple(() =>
        {
            Assert.That(DateTimeOffset.Parse(resumed["lastModStartDate"]!), Is.EqualTo(DateTimeOffset.Parse(first.GetProperty("cursor").GetString()!)),
                "the next window starts where the last one ended");
            Assert.That(second.GetProperty("lastOutcome").GetString(), Is.EqualTo("not_modified"), "already enriched");
            Assert.That(second.GetProperty("advisoryCount").GetInt64(), Is.EqualTo(2));
            Assert.That(status, Does.Not.Contain(ApiKey));
        });
    }
}
