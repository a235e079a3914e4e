namespace ImageScanning.Gateway.Polling;

/// <summary>
/// Catalog polling of one registry that sends no webhooks (<c>Registries:N:Polling</c>): every <see cref="Interval"/> the Gateway
/// walks its catalog and tags and publishes an ImagePushed for each tag whose digest it has not published before.
/// </summary>
public sealed class RegistryPollingOptions
{
    /// <summary>How often the registry is walked; zero (the default) polls never.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.Zero;

    /// <summary>The most repositories one poll looks at (catalog order); the rest wait for a later poll and are logged as skipped.</summary>
    public int MaxRepositories { get; set; } = 1000;

    /// <summary>The most tags one poll resolves, over all repositories.</summary>
    public int MaxTags { get; set; } = 10_000;

    /// <summary>The longest one poll of this registry may take; longer, it stops and records a timeout (what it stored stays stored).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Page size of the catalog and tag listings (distribution's n).</summary>
    public int PageSize { get; set; } = 100;

    public bool Enabled => Interval > TimeSpan.Zero;

    /// <summary>What is wrong with these settings of registry <paramref name="registry"/>, or null.</summary>
    public string? Problem(string registry) =>
        Interval < TimeSpan.Zero ? $"Registries '{registry}': Polling:Interval must not be negative."
        : MaxRepositories < 1 || MaxTags < 1 ? $"Registries '{registry}': Polling:MaxRepositories and MaxTags must be at least 1."
        : Timeout <= TimeSpan.Zero ? $"Registries '{registry}': Polling:Timeout must be positive."
        : PageSize is < 1 or > 10_000 ? $"Registries '{registry}': Polling:PageSize must be between 1 and 10000."
        : null;
}
