namespace ImageScanning.Gateway.Harbor;

/// <summary>Settings of Harbor's Pluggable Scanner API (configuration section <c>Harbor</c>).</summary>
public sealed class HarborOptions
{
    public const string Section = "Harbor";

    /// <summary>
    /// The configured registries Harbor may ask scans of (names of <c>Registries:N</c>). Empty: every configured registry whose
    /// <c>Url</c> (or an alias in <see cref="RegistryUrls"/>) Harbor names.
    /// </summary>
    public List<string> Registries { get; set; } = [];

    /// <summary>Other URLs by which Harbor names a configured registry (Harbor sends its core URL, e.g. http://harbor-core:8080).</summary>
    public List<HarborRegistryUrl> RegistryUrls { get; set; } = [];

    /// <summary>The Refresh-After (seconds) of a 302 while a report is being generated.</summary>
    public int RefreshAfterSeconds { get; set; } = 5;

    /// <summary>How long POST /scan waits for the catalog to take an artifact the platform had not heard of.</summary>
    public TimeSpan CatalogWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After this long without a result a report answers 500 (Harbor then stops polling and shows the error).</summary>
    public TimeSpan ReportTimeout { get; set; } = TimeSpan.FromHours(1);

    public string? Problem() =>
        RefreshAfterSeconds < 1 ? "Harbor:RefreshAfterSeconds must be at least 1."
        : CatalogWait <= TimeSpan.Zero || ReportTimeout <= TimeSpan.Zero ? "Harbor:CatalogWait and Harbor:ReportTimeout must be positive."
        : RegistryUrls.Any(u => !Uri.TryCreate(u.Url, UriKind.Absolute, out _) || u.Registry.Length == 0)
            ? "Harbor:RegistryUrls:N needs an absolute Url and a Registry name."
            : null;
}

/// <summary>One alias: Harbor's <c>registry.url</c> <see cref="Url"/> is the configured registry <see cref="Registry"/>.</summary>
public sealed class HarborRegistryUrl
{
    public string Url { get; set; } = "";
    public string Registry { get; set; } = "";
}
