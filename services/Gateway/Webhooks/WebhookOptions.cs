namespace ImageScanning.Gateway.Webhooks;

/// <summary>Gateway:Webhooks settings.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Gateway:Webhooks";

    /// <summary>
    /// The longest a notification waits for the store (its file locked by another process, say) before it is refused with 503,
    /// which the registry retries: shorter than the registry's own notification timeout (5 s in deploy/registry/config.yml).
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The most bytes of a notification body the Gateway reads, whatever its transfer encoding (Content-Length or chunked).
    /// A longer one is acknowledged and rejected whole: refusing it would have the registry send it again for ever.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>
    /// The most events one notification may carry, each a possible scan (docker-registry 2.8 sends one per notification).
    /// More: acknowledged and rejected whole, none of them accepted.
    /// </summary>
    public int MaxEventsPerNotification { get; set; } = 1000;

    /// <summary>
    /// The longest the Gateway waits for a registry's manifests (all of one notification's together) when it names a tag without a
    /// digest (Quay, Docker Hub) or a digest without a media type (Harbor). Longer: refused with 503 and Retry-After, so a registry that retries sends it again.
    /// </summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() =>
        StoreTimeout <= TimeSpan.Zero ? $"{Section}:StoreTimeout must be positive."
        : MaxBodyBytes < 1 ? $"{Section}:MaxBodyBytes must be at least 1."
        : MaxEventsPerNotification < 1 ? $"{Section}:MaxEventsPerNotification must be at least 1."
        : ResolveTimeout <= TimeSpan.Zero ? $"{Section}:ResolveTimeout must be positive."
        : null;
}
