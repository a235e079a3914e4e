using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Dispatching;

/// <summary>Which scanner queue a scan goes to: BASIC → the basic scanner; ENHANCED → the enhanced scanner, re-scans to its own lane.</summary>
public static class ScanQueues
{
    public static string For(ScanType scanType, ScanTrigger trigger) => scanType switch
    {
        ScanType.BASIC => QueueNames.BasicScanner,
        _ when trigger == ScanTrigger.RESCAN => QueueNames.EnhancedRescanner,
        _ => QueueNames.EnhancedScanner,
    };
}
