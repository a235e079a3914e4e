using System.Globalization;
using System.Text.Json;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.CveFeed.Feeds.Sources;

/// <summary>
/// nvd-api: the NVD CVE API 2.0 (Url, default https://services.nvd.nist.gov/rest/json/cves/2.0), read for CVSS
/// enrichment only. Each run asks for the CVEs modified since the last run's window end (the first run: the last
/// <see cref="FeedSourceOptions.InitialLookback"/>; one request window is at most 120 days, NVD's limit), page by
/// page (startIndex/resultsPerPage), and adds NVD's CVSS v3.x vector to every stored advisory about those CVEs (by
/// id or alias) that has no CVSS v3 of its own (<see cref="NvdEnrichment"/>). Severity is metadata, so this never
/// announces a NewCveAdded. The optional API key goes in the apiKey header and nowhere else.
/// </summary>
public sealed class NvdApiSource(
    FeedSourceOptions options, IHttpClientFactory httpClients, IAdvisoryStore store, AdvisoryImportService importer, TimeProvider clock) : IFeedSource
{
    public const string DefaultUrl = "https://services.nvd.nist.gov/rest/json/cves/2.0";
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(120);

    public FeedSourceOptions Options => options;

    public async Task<FeedRunResult> RunAsync(FeedStatus? previous, CancellationToken ct)
    {
        var baseUrl = string.IsNullOrWhiteSpace(options.Url) ? DefaultUrl : options.Url;
        // Millisecond precision: what the request carries, so the next window starts exactly where this one ended.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
        var start = previous?.Cursor is { } cursor && DateTimeOffset.TryParse(cursor, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var c)
            ? c
            : now - (options.InitialLookback > MaxWindow ? MaxWindow : options.InitialLookback);
        var end = start + MaxWindow < now ? start + MaxWindow : now; // a long outage catches up one window per run

        var client = httpClients.CreateClient(HttpClientFactoryName);
        var total = new ImportResult();
        var pageSize = Math.Clamp(options.PageSize, 1, 2000);
        for (var startIndex = 0; ; startIndex += pageSize)
        {
            var url = $"{baseUrl}?lastModStartDate={Format(start)}&lastModEndDate={Format(end)}&startIndex={startIndex}&resultsPerPage={pageSize}";
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Options.Set(ImageScanning.Outbound.TrustedHostRoutingHandler.TrustedHostKey, request.RequestUri!.Host);
            if (!string.IsNullOrEmpty(options.ApiKey)) request.Headers.TryAddWithoutValidation("apiKey", options.ApiKey);
            using var response = await client.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"NVD API page {startIndex} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            var page = await response.Content.ReadAsByteArrayAsync(ct);
            var totalResults = TotalResults(page);
            total = Add(total, await EnrichAsync(page, ct));
            if (startIndex + pageSize >= totalResults) break;
        }
        return new FeedRunResult(false, total, (previous?.AdvisoryCount ?? 0) + total.MetadataChanged + total.Changed, null, null,
            end.ToString("O", CultureInfo.InvariantCulture));
    }

    /// <summary>The same resilient client as the other HTTP sources.</summary>
    private const string HttpClientFactoryName = HttpFeedSource.HttpClientName;

    private async Task<ImportResult> EnrichAsync(byte[] page, CancellationToken ct)
    {
        using var stream = new MemoryStream(page, writable: false);
        var feed = await NvdCvssReader.ReadAsync(stream, ct);
        if (feed.Records.Count == 0) return new ImportResult();
        var enrichment = new NvdEnrichment(feed.Records);
        var stored = await store.FindByIdsOrAliasesAsync(feed.Records.Select(r => r.CveId).ToList(), ct);
        var enriched = new List<NativeAdvisory>();
        foreach (var advisory in stored)
            if (enrichment.TryEnrich(advisory.Advisory, advisory.RawJson, out var patched, out var json))
                enriched.Add(new NativeAdvisory(patched, json));
        return enriched.Count == 0
            ? new ImportResult()
            : await importer.ImportConvertedAsync(new NativeFeedResult(options.Name, enriched, []), options.Name, ct);
    }

    /// <summary>totalResults of an API 2.0 page; a page without it is not an API response.</summary>
    private static int TotalResults(byte[] page)
    {
        try
        {
            using var document = JsonDocument.Parse(page);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("totalResults", out var total) && total.TryGetInt32(out var value))
                return value;
        }
        catch (JsonException e)
        {
            throw new FeedUnreadableException($"NVD API answered with invalid JSON: {e.Message}");
        }
        throw new FeedUnreadableException("NVD API answer has no totalResults: not a CVE API 2.0 response.");
    }

    private static ImportResult Add(ImportResult a, ImportResult b) => new()
    {
        Added = a.Added + b.Added,
        Changed = a.Changed + b.Changed,
        MetadataChanged = a.MetadataChanged + b.MetadataChanged,
        Unchanged = a.Unchanged + b.Unchanged,
        Failures = [.. a.Failures, .. b.Failures],
        NewOrChanged = [.. a.NewOrChanged, .. b.NewOrChanged],
        Withdrawn = [.. a.Withdrawn, .. b.Withdrawn],
    };

    // NVD wants ISO 8601 with an explicit offset; '+' must be escaped in a query string.
    private static string Format(DateTimeOffset t) =>
        Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+00:00");
}
