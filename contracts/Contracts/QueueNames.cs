namespace ImageScanning.Contracts;

/// <summary>
/// The platform's receive queues, named once: the scanners' queues receive commands sent (not published) to them; the others
/// are a service's own copy of the events it subscribes to. The Gateway's dead-letter API replays their _error queues.
/// </summary>
public static class QueueNames
{
    public const string BasicScanner = "basic-scanner";
    public const string EnhancedScanner = "enhanced-scanner";

    /// <summary>Re-scans for new advisories: their own queue and concurrency cap, so push and manual scans never wait behind them.</summary>
    public const string EnhancedRescanner = "enhanced-rescanner";

    /// <summary>ScanRouter's events (pushes, pulls, scan results, settings).</summary>
    public const string ScanRouter = "scan-router";

    /// <summary>ScanRouter's NewCveAdded fan-out, on its low-priority lane.</summary>
    public const string ScanRouterAdvisories = "scan-router-advisories";

    /// <summary>ScanRouter's re-scan results (ImageRescanned), on its low-priority lane.</summary>
    public const string ScanRouterRescans = "scan-router-rescans";

    /// <summary>Findings' events (scan results, failures, suppression rules).</summary>
    public const string Findings = "findings";

    /// <summary>Findings' re-scan results (ImageRescanned), on its low-priority lane.</summary>
    public const string FindingsRescans = "findings-rescans";

    public static readonly IReadOnlyList<string> All =
        [ScanRouter, ScanRouterAdvisories, ScanRouterRescans, Findings, FindingsRescans, BasicScanner, EnhancedScanner, EnhancedRescanner];

    /// <summary>
    /// Address commands to the queue's exchange, not the queue itself: a "queue:" address would make the
    /// sender declare the queue, and its arguments (quorum) would then conflict with the consumer's.
    /// </summary>
    public static Uri For(string queue) => new($"exchange:{queue}");
}
