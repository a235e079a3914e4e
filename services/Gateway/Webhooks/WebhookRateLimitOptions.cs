namespace ImageScanning.Gateway.Webhooks;

/// <summary>
/// Gateway:Webhooks:RateLimit settings: how many notifications one registry, and one token, may post per window (fixed windows).
/// Over either: 429 with Retry-After. The registry retries a 429 like any non-2xx answer, with its backoff, so nothing is lost;
/// its later notifications wait behind in its queue, which is the point: a flood is slowed, not dropped.
/// </summary>
public sealed class WebhookRateLimitOptions
{
    public const string Section = "Gateway:Webhooks:RateLimit";

    /// <summary>
    /// Notifications per registry (the route's {registry}) per window. docker-registry sends one per push and one per pull, and
    /// every scan pulls: 100 a second leaves a busy CI registry unslowed. A registry queues what waits in memory only, and a
    /// restart loses that queue, so the limit is for floods, not for ordinary peaks.
    /// </summary>
    public int PermitsPerRegistry { get; set; } = 6000;

    /// <summary>
    /// Notifications per presented token per window, whichever registries they are posted to (a webhook-scope token may post to
    /// all); requests without a token or with an unknown one share one partition each, which bounds guessing.
    /// </summary>
    public int PermitsPerToken { get; set; } = 12000;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public string? Problem() =>
        PermitsPerRegistry < 1 ? $"{Section}:PermitsPerRegistry must be at least 1."
        : PermitsPerToken < 1 ? $"{Section}:PermitsPerToken must be at least 1."
        : Window <= TimeSpan.Zero ? $"{Section}:Window must be positive."
        : null;
}
