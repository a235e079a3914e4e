namespace ImageScanning.ScanRouter.Dispatching;

/// <summary>Scanning:* settings of the stuck-scan sweeper (the scanners read other Scanning:* settings from the same section).</summary>
public sealed class StuckScanOptions
{
    /// <summary>How often images IN_PROGRESS are checked.</summary>
    public TimeSpan StuckScanSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after its last dispatch a scan without a result counts as lost (longer than a scan's own deadline).</summary>
    public TimeSpan StuckScanAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many times one scan is sent (the first send included) before it is recorded FAILED.</summary>
    public int MaxScanDispatches { get; set; } = 3;

    /// <summary>
    /// Send every scan IN_PROGRESS again at start-up, whatever its age (each send counts). Null: only when the bus is in memory,
    /// which forgets its queues on restart; a RabbitMQ queue keeps them.
    /// </summary>
    public bool? RedispatchOnStart { get; set; }

    public bool IsValid() => StuckScanSweepInterval > TimeSpan.Zero && StuckScanAfter > TimeSpan.Zero && MaxScanDispatches >= 1;
}
