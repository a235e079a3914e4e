using System.Net;
using System.Net.Http.Headers;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Ecosystems;

namespace ImageScanning.CveFeed.Feeds.Sources;

/// <summary>
/// osv-zip-url, epss-url, kev-url and every native feed's FORMAT-url kind (debian-tracker-url, alpine-secdb-url...): one document fetched with a conditional GET (If-None-Match
/// with the remembered ETag, If-Modified-Since with the remembered Last-Modified), so an unchanged feed costs one 304.
/// The body is spooled to a temporary file before anything is imported: a connection dropped mid-download imports
/// nothing. Validators are remembered only after a successful import, so a failed import is fetched again next time.
/// </summary>
public sealed class HttpFeedSource(
    FeedSourceOptions options, IHttpClientFactory httpClients, AdvisoryImportService importer, FeedHttpOptions http, ExploitIntelligenceImportService? exploits = null)
    : IFeedSource
{
    public const string HttpClientName = "cve-feed";

    public FeedSourceOptions Options => options;

    public async Task<FeedRunResult> RunAsync(FeedStatus? previous, CancellationToken ct)
    {
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url))
            throw new InvalidOperationException($"Source {options.Name}: Url must be an absolute URL for {options.Kind}.");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(ImageScanning.Outbound.TrustedHostRoutingHandler.TrustedHostKey, url.Host); // the configured host; a redirect is checked
        if (previous?.LastSuccess is not null)
        {
            if (previous.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
            if (previous.LastModified is { } lastModified && DateTimeOffset.TryParse(lastModified, out var since)) request.Headers.IfModifiedSince = since;
        }

        // The resilience pipeline times the request up to its headers; this bounds the body download too.
        using var download = CancellationTokenSource.CreateLinkedTokenSource(ct);
        download.CancelAfter(http.TotalTimeout);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, download.Token);
        if (response.StatusCode == HttpStatusCode.NotModified)
            return new FeedRunResult(true, null, null, previous?.ETag, previous?.LastModified, null);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);

        if (response.Content.Headers.ContentLength is { } announced && announced > http.MaxDownloadBytes)
            throw new FeedUnreadableException(TooLarge(url, $"is {announced} bytes"));
        await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(download.Token);
            await CopyCappedAsync(body, spool, url, download.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Download of {url.GetLeftPart(UriPartial.Path)} took longer than {http.TotalTimeout}.");
        }
        if (response.Content.Headers.ContentLength is { } expected && spool.Length != expected)
            throw new FeedUnreadableException($"Download cut short: {spool.Length} of {expected} bytes.");
        spool.Position = 0;

        var result = await ImportAsync(spool, ct);
        FeedImportChecks.ThrowIfNothingReadable(result);
        return new FeedRunResult(false, result, result.Total - result.Failed,
            response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"), null);
    }

    /// <summary>Copies the body, refusing to spool more than CveFeed:Http:MaxDownloadBytes whatever the transfer encoding.</summary>
    private async Task CopyCappedAsync(Stream body, Stream spool, Uri url, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (spool.Length + read > http.MaxDownloadBytes) throw new FeedUnreadableException(TooLarge(url, "goes on"));
            await spool.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    private string TooLarge(Uri url, string what) =>
        $"Download of {url.GetLeftPart(UriPartial.Path)} {what} past the {http.MaxDownloadBytes} bytes CveFeed:Http:MaxDownloadBytes allows.";

    private async Task<ImportResult> ImportAsync(Stream feed, CancellationToken ct)
    {
        if (options.Kind is FeedKinds.EpssUrl or FeedKinds.KevUrl)
        {
            var exploitImporter = exploits ?? throw new InvalidOperationException($"Source {options.Name}: no exploit-intelligence importer.");
            return AsImportResult(options.Kind == FeedKinds.EpssUrl
                ? await exploitImporter.ImportEpssAsync(feed, options.Name, ct)
                : await exploitImporter.ImportKevAsync(feed, options.Name, ct));
        }
        if (options.Kind == FeedKinds.OsvZipUrl) return await importer.ImportZipAsync(feed, options.Name, ct);
        if (EcosystemCatalog.FindNativeFeedByUrlKind(options.Kind) is { } format)
            return await importer.ImportNativeAsync(format.CreateReader(), feed, ct, options.Name);
        throw new InvalidOperationException($"Source {options.Name}: {options.Kind} is not an HTTP document kind.");
    }

    /// <summary>An exploit import as the feed status counts it: rows (not advisories), a removed row counted as a change.</summary>
    private static ImportResult AsImportResult(ScanEngine.Advisories.Exploits.ExploitImportResult result) => new()
    {
        Added = result.Added,
        Changed = result.Updated + result.Removed,
        Unchanged = result.Total - result.Added - result.Updated,
    };
}
