namespace ImageScanning.Contracts;

/// <summary>Queues that receive commands sent (not published) to one service.</summary>
public static class QueueNames
{
    public const string BasicScanner = "basic-scanner";
    public const string EnhancedScanner = "enhanced-scanner";

    public static Uri For(string queue) => new($"queue:{queue}");
}
