using ImageScanning.ScanEngine.Images.Aws;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// One registry the scanner may pull from, as configured (section "Registries"). Scans name a
/// registry by <see cref="Name"/>; a URL from anywhere else (a webhook, say) is never contacted.
/// </summary>
public sealed class RegistryOptions
{
    public string Name { get; set; } = "";

    /// <summary>Base URL, e.g. http://127.0.0.1:5000 or https://registry.example.com (no credentials in it).</summary>
    public string Url { get; set; } = "";

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>A static bearer token sent on every request (for registries that hand out long-lived tokens).</summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// Hosts besides the registry's own that may serve its bearer-token realm and so receive its credentials (Docker Hub's
    /// registry-1.docker.io names auth.docker.io). Empty by default: a realm anywhere else is refused as AccessDenied. Naming a
    /// host here does not exempt it from the Outbound address policy; only the registry's own Url host is exempt.
    /// </summary>
    public List<string> TokenRealmHosts { get; set; } = [];

    /// <summary>Set when the registry is an Amazon ECR registry: its account, region and the key its pull tokens are fetched with.</summary>
    public EcrRegistryOptions? Ecr { get; set; }

    /// <summary>Never prints the credentials.</summary>
    public override string ToString() => $"{Name} ({Url})";
}

/// <summary>HTTP behaviour of the registry client; the defaults suit production, tests shorten them.</summary>
public sealed class RegistryHttpOptions
{
    /// <summary>Retries after the first attempt on transient failures (connection errors, 5xx, 408, 429, attempt timeouts).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; it grows exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two retries, whatever Retry-After says.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One attempt, until the response headers arrive. Bodies are streamed after that and are not
    /// bounded by it (see <see cref="BlobReadIdleTimeout"/>), so a large blob is never cut short.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>All attempts of one request together, until response headers.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A blob read that gets no byte for this long fails as RegistryUnreachable.</summary>
    public TimeSpan BlobReadIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Redirects followed for one request (blob GETs are redirected to object storage or a CDN); one more fails the request as
    /// RegistryUnreachable. Each hop is checked against the Outbound address policy and gets no credentials off the registry's host.
    /// </summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Largest manifest accepted (the distribution spec suggests registries accept at least 4 MiB).</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;
}
