using System.Net;
using System.Text.Json;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>
/// Each format of <c>POST /api/v1/advisories</c> is bounded by its own CveFeed:Uploads limit, counted on the bytes read: a body
/// that announces its length is refused unread, a chunked one when it goes over. Over the limit: 413 naming it, nothing imported.
/// </summary>
[TestFixture]
public sealed class AdvisoryUploadLimitTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("cvefeed-uploads-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    private Task<CveFeedHost> StartAsync(long json, long zip, long native) => CveFeedHost.StartAsync(directory, new Dictionary<string, string?>
    {
        ["CveFeed:Uploads:MaxJsonBytes"] = json.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CveFeed:Uploads:MaxZipBytes"] = zip.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CveFeed:Uploads:MaxNativeBytes"] = native.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_JSON_record_over_its_limit_is_refused_naming_the_limit_and_nothing_is_imported(bool announceLength)
    {
        var record = await File.ReadAllBytesAsync(Corpus.PathOf("osv", "debian", "DLA-3008-1.json"));
        await using var feed = await StartAsync(json: record.Length - 1, zip: 1 << 20, native: 1 << 20);

        var response = await feed.Client.PostAsync("/api/v1/advisories", Body(record, "application/json", announceLength));

        await AssertRefusedAsync(response, "CveFeed:Uploads:MaxJsonBytes", record.Length - 1);
        Assert.That(await feed.Advisories.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task A_JSON_record_within_its_limit_is_imported_whatever_the_transfer_encoding()
    {
        var record = await File.ReadAllBytesAsync(Corpus.PathOf("osv", "debian", "DLA-3008-1.json"));
        await using var feed = await StartAsync(json: record.Length, zip: 1 << 20, native: 1 << 20);

        var response = await feed.Client.PostAsync("/api/v1/advisories", Body(record, "application/json", announceLength: false));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await feed.Advisories.CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_chunked_zip_over_its_limit_is_refused_before_anything_is_imported()
    {
        var zip = await File.ReadAllBytesAsync(Corpus.PathOf("feeds", "go-vulndb-osv.zip"));
        await using var feed = await StartAsync(json: 1 << 20, zip: zip.Length / 2, native: 1 << 20);

        var response = await feed.Client.PostAsync("/api/v1/advisories", Body(zip, "application/zip", announceLength: false));

        await AssertRefusedAsync(response, "CveFeed:Uploads:MaxZipBytes", zip.Length / 2);
        Assert.That(await feed.Advisories.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task A_native_feed_over_its_limit_is_refused_while_it_streams()
    {
        var document = await File.ReadAllBytesAsync(Corpus.PathOf("native", "debian-tracker", "vunnel-debian.json"));
        await using var feed = await StartAsync(json: 1 << 20, zip: 1 << 20, native: document.Length - 1);

        var response = await feed.Client.PostAsync("/api/v1/advisories?format=debian-tracker", Body(document, "application/json", announceLength: false));

        await AssertRefusedAsync(response, "CveFeed:Uploads:MaxNativeBytes", document.Length - 1);
        Assert.That(await feed.Advisories.CountAsync(), Is.Zero);
    }

    /// <summary>Before the limits, one JSON "record" could be a 1 GiB string; the default now stops it at 16 MiB.</summary>
    [Test]
    public async Task The_default_JSON_limit_stops_a_huge_chunked_record()
    {
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>());
        var huge = new byte[(16 << 20) + 1];
        Array.Fill(huge, (byte)' ');

        var response = await feed.Client.PostAsync("/api/v1/advisories", Body(huge, "application/json", announceLength: false));

        await AssertRefusedAsync(response, "CveFeed:Uploads:MaxJsonBytes", 16 << 20);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string setting, long limit)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), text);
        var message = JsonDocument.Parse(text).RootElement.GetProperty("message").GetString();
        Assert.That(message, Does.Contain(setting).And.Contain($"{limit} bytes").And.Contain("nothing of it was imported"));
    }

    /// <summary>The bytes with a Content-Length, or chunked (no length the server could check before reading).</summary>
    private static HttpContent Body(byte[] bytes, string mediaType, bool announceLength)
    {
        HttpContent content = announceLength ? new ByteArrayContent(bytes) : new ChunkedContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return content;
    }
}
