using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// Which configured registry a Harbor <c>registry.url</c> names. The platform pulls only from configured registries, with their
/// own settings: a URL that matches no <c>Registries:N:Url</c> (or <c>Harbor:RegistryUrls</c> alias) of a registry Harbor may use
/// is refused, so a scan request can never make the platform contact, or send a credential to, a host nobody configured.
/// </summary>
public sealed class HarborRegistries
{
    private sealed class RegistrySettings
    {
        public string Name { get; set; } = "";
        public string Url { get; set; } = "";
    }

    private readonly List<(string Origin, string Registry)> _byOrigin = [];
    private readonly HashSet<string> _allowed = new(StringComparer.Ordinal);

    public HarborRegistries(IConfiguration configuration, IOptions<HarborOptions> options)
    {
        var settings = options.Value;
        var registries = configuration.GetSection("Registries").Get<List<RegistrySettings>>()?.Where(r => r.Name.Length > 0).ToList() ?? [];
        foreach (var registry in registries)
            if (settings.Registries.Count == 0 || settings.Registries.Contains(registry.Name, StringComparer.Ordinal))
                _allowed.Add(registry.Name);
        foreach (var registry in registries.Where(r => _allowed.Contains(r.Name)))
            if (Origin(registry.Url) is { } origin) _byOrigin.Add((origin, registry.Name));
        foreach (var alias in settings.RegistryUrls.Where(a => _allowed.Contains(a.Registry)))
            if (Origin(alias.Url) is { } origin) _byOrigin.Add((origin, alias.Registry));
    }

    /// <summary>The registry Harbor's URL names, or null when it names none Harbor may use.</summary>
    public string? Resolve(string url) =>
        Origin(url) is { } origin ? _byOrigin.FirstOrDefault(r => r.Origin == origin).Registry : null;

    /// <summary>True while <paramref name="registry"/> is a registry Harbor may use (a report id names one).</summary>
    public bool IsAllowed(string registry) => _allowed.Contains(registry);

    /// <summary>The URL as an error message may show it: user information (a credential) is never repeated.</summary>
    public static string Display(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal) : url;

    /// <summary>scheme://host:port, lower case, with the scheme's default port made explicit; null when not an http(s) URL.</summary>
    private static string? Origin(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0
            ? $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}"
            : null;
}
