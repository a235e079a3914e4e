namespace ImageScanning.ScanRouter.Rescanning;

/// <summary>Rescan:* settings.</summary>
public sealed class RescanOptions
{
    /// <summary>How often images whose re-scan window passed without a new advisory are expired.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Usage:* settings: what ENHANCED scanning would cost (Inspector's list prices by default).</summary>
public sealed class UsageOptions
{
    public decimal InitialScanPriceUsd { get; set; } = 0.09m;
    public decimal RescanPriceUsd { get; set; } = 0.01m;
}
