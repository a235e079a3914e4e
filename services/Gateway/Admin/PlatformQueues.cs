using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Admin;

/// <summary>
/// The platform's receive queues (<see cref="QueueNames.All"/>, where the consumer definitions take their names too): the one list
/// the admin API replays. Each has an <c>_error</c> queue, where MassTransit moves a message that faulted and the broker
/// dead-letters one past its delivery limit.
/// </summary>
public static class PlatformQueues
{
    public const string ErrorSuffix = "_error";

    public static IReadOnlyList<string> All => QueueNames.All;

    public static readonly IReadOnlyList<string> ErrorQueues = All.Select(q => q + ErrorSuffix).ToList();

    public static bool IsErrorQueue(string name) => ErrorQueues.Contains(name, StringComparer.Ordinal);

    /// <summary>The queue an error queue's messages go back to.</summary>
    public static string QueueOf(string errorQueue) =>
        IsErrorQueue(errorQueue) ? errorQueue[..^ErrorSuffix.Length] : throw new ArgumentException($"'{errorQueue}' is not a platform error queue.", nameof(errorQueue));
}
