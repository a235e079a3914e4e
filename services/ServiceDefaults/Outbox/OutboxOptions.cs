namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>Outbox:* settings, shared by every service database of the process.</summary>
public sealed class OutboxOptions
{
    /// <summary>How often each outbox is read for messages that were not sent right after their commit (a crash, a refusing bus).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages claimed per read.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How long a claimed message is left to its dispatcher before another may claim it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When to try again after the bus refused a message (broker down, no queue bound yet).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one publish or send may take before it counts as failed.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long dispatched messages are kept. On a bus that forgets (in memory), a restart sends again every message dispatched in
    /// this window, since it may have been lost with the process; consumers skip the ones they handled.
    /// </summary>
    public TimeSpan KeepDispatchedFor { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many times one message may be replayed after restarts: a message that crashes the process stops after this.</summary>
    public int MaxReplays { get; set; } = 3;

    /// <summary>How long a consumer remembers a message it handled. Longer than any redelivery can come.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Replay dispatched messages at start-up (see <see cref="KeepDispatchedFor"/>). Null: only when the bus is in memory.</summary>
    public bool? ReplayOnStart { get; set; }

    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero) throw new InvalidOperationException("Outbox:PollInterval must be positive.");
        if (BatchSize < 1) throw new InvalidOperationException("Outbox:BatchSize must be at least 1.");
        if (Lease <= TimeSpan.Zero) throw new InvalidOperationException("Outbox:Lease must be positive.");
        if (MaxReplays < 0) throw new InvalidOperationException("Outbox:MaxReplays must not be negative.");
    }
}
