using ImageScanning.ScanEngine.Ecosystems;

namespace ImageScanning.CveFeed.Feeds;

/// <summary>One configured source: CveFeed:Sources:N:{Name, Kind, Url|Path, Interval, ApiKey}.</summary>
public sealed class FeedSourceOptions
{
    public string Name { get; set; } = "";

    /// <summary>One of <see cref="FeedKinds"/>.</summary>
    public string Kind { get; set; } = "";

    public string? Url { get; set; }
    public string? Path { get; set; }

    /// <summary>How often the scheduler runs it; zero or less: only on POST /api/v1/feeds/{name}/refresh.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>nvd-api only: sent as the apiKey header (raises NVD's rate limit). Never logged or returned.</summary>
    public string? ApiKey { get; set; }

    /// <summary>nvd-api only: results per page (NVD's maximum is 2000).</summary>
    public int PageSize { get; set; } = 2000;

    /// <summary>nvd-api only: how far back the first run looks (NVD allows at most 120 days per request window).</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromDays(120);
}

public static class FeedKinds
{
    public const string OsvDirectory = "osv-directory";
    public const string OsvZip = "osv-zip";
    public const string OsvZipUrl = "osv-zip-url";
    public const string NvdApi = "nvd-api";

    /// <summary>FIRST's EPSS daily CSV (gzip'd as published: https://epss.cyentia.com/epss_scores-current.csv.gz).</summary>
    public const string EpssUrl = "epss-url";

    /// <summary>CISA's known_exploited_vulnerabilities.json.</summary>
    public const string KevUrl = "kev-url";

    /// <summary>Not configurable: what POST /api/v1/advisories imports appear as.</summary>
    public const string Upload = "upload";

    /// <summary>The generic kinds, then one "FORMAT-url" kind per native feed an ecosystem reads ("debian-tracker-url").</summary>
    public static readonly IReadOnlyList<string> Configurable =
        [OsvDirectory, OsvZip, OsvZipUrl, NvdApi, EpssUrl, KevUrl, .. EcosystemCatalog.NativeFeeds.Select(f => f.UrlKind)];

    /// <summary>Whether a kind fetches one document from Url (osv-zip-url, the exploit feeds and every native feed's kind).</summary>
    public static bool IsHttpDocument(string kind) => kind is OsvZipUrl or EpssUrl or KevUrl || EcosystemCatalog.FindNativeFeedByUrlKind(kind) is not null;
}

/// <summary>CveFeed:Http: the feed HttpClient's resilience settings.</summary>
public sealed class FeedHttpOptions
{
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(20);
    public int MaxRetryAttempts { get; set; } = 3;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Largest feed document spooled to a temporary file (osv.dev's all.zip is about 1 GiB today): a feed that sends more, or
    /// never ends, fails its run with this limit named instead of filling the disk.
    /// </summary>
    public long MaxDownloadBytes { get; set; } = 4L * 1024 * 1024 * 1024;
}
