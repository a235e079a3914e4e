namespace ImageScanning.Findings.Subscriptions;

/// <summary>Webhook delivery settings (configuration section "Subscriptions").</summary>
public sealed class SubscriptionOptions
{
    /// <summary>Failed attempts after which a delivery moves to the subscription's dead letters.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failure; doubled after each further one, up to MaxBackoff.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the dispatcher looks for due deliveries when nothing new woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed delivery is hidden from other dispatchers (replicas) while it is being sent.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a sent delivery is remembered, so the same event redelivered by the bus is not sent again.</summary>
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromDays(7);

    public int BatchSize { get; set; } = 32;

    public int Parallelism { get; set; } = 8;

    /// <summary>
    /// Whether a subscription may target a plain http:// URL. Off by default: the signed events (and what they say about the
    /// images) travel only over https. Test receivers and subscribers inside one trusted network may turn it on.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Directory of the Data Protection key ring that encrypts subscription secrets at rest. Empty: "findings-keys" beside the
    /// service's SQLite file (Storage:DataDirectory), in Mongo mode as well. Whoever holds the store and this directory can read
    /// the secrets: back them up, and keep them, apart. Replicas of the service must share it.
    /// </summary>
    public string? KeyRingDirectory { get; set; }
}
