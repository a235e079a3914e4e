using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>
/// <c>GET /api/v1/advisories/export</c>: every stored advisory as an OSV zip (one ID.json each, as stored) for `imagescan db
/// import` on an air-gapped host, streamed, marked by its archive comment, and behind the read scope like the other reads.
/// </summary>
[TestFixture]
public sealed class AdvisoryExportTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("cvefeed-export-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    [Test]
    public async Task The_export_holds_every_stored_advisory_as_stored()
    {
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>());
        var upload = new ByteArrayContent(await File.ReadAllBytesAsync(Corpus.PathOf("feeds", "go-vulndb-osv.zip")));
        upload.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var uploaded = await feed.Client.PostAsync("/api/v1/advisories", upload);
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await uploaded.Content.ReadAsStringAsync());
        foreach (var file in Directory.GetFiles(Corpus.PathOf("osv", "debian"), "*.json"))
        {
            var record = new StringContent(await File.ReadAllTextAsync(file), System.Text.Encoding.UTF8, "application/json");
            Assert.That((await feed.Client.PostAsync("/api/v1/advisories", record)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var response = await feed.Client.GetAsync("/api/v1/advisories/export", HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
        Assert.That(response.Content.Headers.ContentLength, Is.Null, "streamed as it is written, not built in memory first");
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Does.Match("^\"?advisories-\\d{8}T\\d{6}Z\\.zip\"?$"));
        var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        Assert.That(zip.Comment, Is.EqualTo("imagescan-cvefeed-export/1"), "what `imagescan db import` names a CveFeed bundle by");
        Assert.That(zip.Entries, Has.Count.EqualTo(4291 + 6));
        Assert.That(await feed.Advisories.CountAsync(), Is.EqualTo(zip.Entries.Count));
        var ids = zip.Entries.Select(e => e.FullName[..^".json".Length]).ToList();
        Assert.That(ids, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        foreach (var id in new[] { "DSA-5474-1", "GO-2022-0646", ids[^1] })
        {
            var stored = (await feed.Advisories.FindByIdsOrAliasesAsync([id])).Single(a => a.Advisory.Id == id);
            using var reader = new StreamReader(zip.GetEntry(id + ".json")!.Open());
            Assert.That(await reader.ReadToEndAsync(), Is.EqualTo(stored.RawJson), id);
        }
    }

    [Test]
    public async Task The_export_needs_a_token_with_the_read_scope()
    {
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>());
        using var anonymous = new HttpClient { BaseAddress = feed.Client.BaseAddress };

        var response = await anonymous.GetAsync("/api/v1/advisories/export");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_empty_store_exports_an_empty_zip()
    {
        await using var feed = await CveFeedHost.StartAsync(directory, new Dictionary<string, string?>());

        var bytes = await feed.Client.GetByteArrayAsync("/api/v1/advisories/export");

        using var zip = new ZipArchive(new MemoryStream(bytes));
        Assert.That(zip.Entries, Is.Empty);
        Assert.That(zip.Comment, Is.EqualTo("imagescan-cvefeed-export/1"));
    }
}
