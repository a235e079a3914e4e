using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Admin;

/// <summary>
/// The platform's receive queues: the one list the admin API replays. Each has an <c>_error</c> queue, where MassTransit moves
/// a message that faulted and the broker dead-letters one past its delivery limit. Kept in step with the consumer definitions
/// (ScanRouterExtensions, NewCveAddedConsumerDefinition, the RescanImageScanned definitions, FindingsExtensions, QueueNames).
/// </summary>
public static class PlatformQueues
{
    public const string ErrorSuffix = "_error";

    public static readonly IReadOnlyList<string> All =
    [
        "scan-router", "scan-router-advisories", "scan-router-rescans", "findings", "findings-rescans",
        QueueNames.BasicScanner, QueueNames.EnhancedScanner, QueueNames.EnhancedRescanner,
    ];

    public static readonly IReadOnlyList<string> ErrorQueues = All.Select(q => q + ErrorSuffix).ToList();

    public static bool IsErrorQueue(string name) => ErrorQueues.Contains(name, StringComparer.Ordinal);

    /// <summary>The queue an error queue's messages go back to.</summary>
    public static string QueueOf(string errorQueue) =>
        IsErrorQueue(errorQueue) ? errorQueue[..^ErrorSuffix.Length] : throw new ArgumentException($"'{errorQueue}' is not a platform error queue.", nameof(errorQueue));
}
