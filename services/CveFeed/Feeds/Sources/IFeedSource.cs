using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.CveFeed.Feeds.Sources;

/// <summary>One configured advisory source: fetches its feed (conditionally, when it can) and imports it.</summary>
public interface IFeedSource
{
    FeedSourceOptions Options { get; }

    /// <summary>
    /// One run. <paramref name="previous"/> holds the validators and cursor of the last success. Throws on failure
    /// (network, HTTP status, unreadable feed); whatever was stored before stays stored.
    /// </summary>
    Task<FeedRunResult> RunAsync(FeedStatus? previous, CancellationToken ct);
}

/// <summary>What a successful run did.</summary>
/// <param name="NotModified">The feed had not changed (304, or a local file with the same size and time): nothing imported.</param>
/// <param name="Import">The import's counts, when something was read.</param>
/// <param name="AdvisoryCount">What the status should show as the source's advisory count; null keeps the previous.</param>
public sealed record FeedRunResult(bool NotModified, ImportResult? Import, long? AdvisoryCount, string? ETag, string? LastModified, string? Cursor);

/// <summary>A feed that was fetched but holds nothing importable (a truncated zip, malformed JSON).</summary>
public sealed class FeedUnreadableException(string message) : Exception(message);
