namespace ImageScanning.Contracts;

/// <summary>Queues that receive commands sent (not published) to one service.</summary>
public static class QueueNames
{
    public const string BasicScanner = "basic-scanner";
    public const string EnhancedScanner = "enhanced-scanner";

    /// <summary>Re-scans for new advisories: their own queue and concurrency cap, so push and manual scans never wait behind them.</summary>
    public const string EnhancedRescanner = "enhanced-rescanner";

    /// <summary>
    /// Address commands to the queue's exchange, not the queue itself: a "queue:" address would make the
    /// sender declare the queue, and its arguments (quorum) would then conflict with the consumer's.
    /// </summary>
    public static Uri For(string queue) => new($"exchange:{queue}");
}
