using System.Text.Json;
using ImageScanning.Cli.Cli;
using ImageScanning.ScanEngine.Ecosystems;

namespace ImageScanning.Cli.Database;

/// <summary>A source <c>db update</c> reads: a name (its row in the metadata) and the one URL it may fetch from.</summary>
public sealed record UpdateSource(string Name, Uri Url)
{
    /// <summary>An osv.dev-style ecosystem export (…/ECOSYSTEM/all.zip, with modified_id.csv and ID.json beside it): updated incrementally.</summary>
    public bool IsOsvEcosystem => Url.AbsolutePath.EndsWith("/all.zip", StringComparison.Ordinal);
}

/// <summary>
/// The sources <c>db update</c> reads: <c>--source NAME=URL</c> options, else the cache's <c>config.json</c>
/// (<c>{"sources": [{"name": "Debian", "url": "https://…/Debian/all.zip"}]}</c>), else osv.dev's export of each ecosystem the
/// scanner matches.
/// </summary>
public static class UpdateSources
{
    public const string OsvDevBucket = "https://osv-vulnerabilities.storage.googleapis.com/";

    /// <summary>osv.dev's folders of the ecosystems imagescan inventories, as the catalog's ecosystems name them.</summary>
    public static IReadOnlyList<string> DefaultEcosystems { get; } =
        EcosystemCatalog.All().SelectMany(e => e.OsvDevExports).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every default osv.dev export, then each native feed its vendor publishes as one document (Oracle's ELSA OVAL).</summary>
    public static IReadOnlyList<UpdateSource> Defaults() =>
    [
        .. DefaultEcosystems.Select(e => new UpdateSource(e, new Uri(OsvDevBucket + Uri.EscapeDataString(e) + "/all.zip"))),
        .. EcosystemCatalog.NativeFeeds.Where(f => f.DefaultUrl is not null).Select(f => new UpdateSource(f.Name, f.DefaultUrl!)),
    ];

    public static IReadOnlyList<UpdateSource> Resolve(IReadOnlyList<string> options, string configPath)
    {
        if (options.Count > 0) return Distinct(options.Select(ParseOption).ToList());
        if (File.Exists(configPath)) return Distinct(Load(configPath));
        return Defaults();
    }

    /// <summary>NAME=URL; the URL absolute http(s).</summary>
    public static UpdateSource ParseOption(string option)
    {
        var equals = option.IndexOf('=');
        if (equals <= 0 || equals == option.Length - 1)
            throw new UsageException($"--source takes NAME=URL, not '{option}'.");
        return new UpdateSource(option[..equals].Trim(), ParseUrl(option[(equals + 1)..].Trim(), $"--source {option[..equals]}"));
    }

    private static IReadOnlyList<UpdateSource> Load(string configPath)
    {
        ConfigFile? config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllText(configPath), ConfigJsonContext.Default.ConfigFile);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{configPath} is not valid JSON: {e.Message}");
        }
        if (config?.Sources is not { Count: > 0 } sources) throw new UsageException($"{configPath} lists no \"sources\".");
        return sources.Select((s, i) => s.Name is { Length: > 0 } name && s.Url is { Length: > 0 } url
            ? new UpdateSource(name, ParseUrl(url, $"{configPath}: source {name}"))
            : throw new UsageException($"{configPath}: source {i + 1} needs a \"name\" and a \"url\".")).ToList();
    }

    private static Uri ParseUrl(string url, string where) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"{where}: '{url}' is not an http(s) URL.");

    private static IReadOnlyList<UpdateSource> Distinct(IReadOnlyList<UpdateSource> sources) =>
        sources.GroupBy(s => s.Name, StringComparer.Ordinal).Select(g => g.Count() == 1
            ? g.First()
            : throw new UsageException($"Source name '{g.Key}' is given more than once.")).ToList();
}

public sealed record ConfigFile(List<ConfigSource>? Sources);

public sealed record ConfigSource(string? Name, string? Url);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ConfigFile))]
internal sealed partial class ConfigJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
