using ImageScanning.CveFeed.Feeds.Sources;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.CveFeed.Feeds;

/// <summary>The configured sources (CveFeed:Sources), validated once at start: a bad entry is a clear start-up error.</summary>
public sealed class FeedSources
{
    private readonly Dictionary<string, IFeedSource> byName = new(StringComparer.OrdinalIgnoreCase);

    public FeedSources(IConfiguration configuration, IHttpClientFactory httpClients, IAdvisoryStore store, AdvisoryImportService importer,
        ExploitIntelligenceImportService exploits, FeedHttpOptions http, TimeProvider clock)
    {
        var options = configuration.GetSection("CveFeed:Sources").Get<List<FeedSourceOptions>>() ?? [];
        foreach (var o in options)
        {
            var problem = Validate(o);
            if (problem is not null) throw new InvalidOperationException($"CveFeed:Sources entry '{o.Name}': {problem}");
            if (!byName.TryAdd(o.Name, Create(o, httpClients, store, importer, exploits, http, clock)))
                throw new InvalidOperationException($"CveFeed:Sources: the name '{o.Name}' is used twice.");
        }
    }

    public IReadOnlyCollection<IFeedSource> All => byName.Values;

    public IFeedSource? Find(string name) => byName.GetValueOrDefault(name);

    private static string? Validate(FeedSourceOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Name)) return "Name is required.";
        if (string.Equals(o.Name, FeedKinds.Upload, StringComparison.OrdinalIgnoreCase)) return "'upload' is reserved for uploads.";
        if (!FeedKinds.Configurable.Contains(o.Kind)) return $"Kind '{o.Kind}' is not one of {string.Join(", ", FeedKinds.Configurable)}.";
        if (o.Kind is FeedKinds.OsvDirectory or FeedKinds.OsvZip && string.IsNullOrWhiteSpace(o.Path)) return "Path is required.";
        if (FeedKinds.IsHttpDocument(o.Kind) && !Uri.TryCreate(o.Url, UriKind.Absolute, out _)) return "Url must be an absolute URL.";
        return null;
    }

    private static IFeedSource Create(FeedSourceOptions o, IHttpClientFactory httpClients, IAdvisoryStore store, AdvisoryImportService importer,
        ExploitIntelligenceImportService exploits, FeedHttpOptions http, TimeProvider clock) =>
        o.Kind switch
        {
            FeedKinds.OsvDirectory or FeedKinds.OsvZip => new LocalOsvSource(o, importer),
            FeedKinds.NvdApi => new NvdApiSource(o, httpClients, store, importer, clock),
            _ => new HttpFeedSource(o, httpClients, importer, http, exploits),
        };
}
