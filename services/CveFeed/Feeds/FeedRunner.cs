using System.Collections.Concurrent;
using ImageScanning.CveFeed.Feeds.Sources;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.CveFeed.Feeds;

/// <summary>
/// Runs a source and records what happened. One run per source at a time (a refresh during a scheduled run waits
/// for it); any failure is caught, logged and stored as the source's LastError, never thrown to the scheduler, so one
/// bad source never stops the others, and a failed run stores nothing and deletes nothing.
/// </summary>
public sealed class FeedRunner(FeedSources sources, IFeedStatusStore statuses, CveFeedMetrics metrics, TimeProvider clock, ILogger<FeedRunner> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> locks = new(StringComparer.OrdinalIgnoreCase);

    public async Task<FeedStatus?> RunAsync(string name, CancellationToken ct)
    {
        if (sources.Find(name) is not { } source) return null;
        var gate = locks.GetOrAdd(source.Options.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            return await RunLockedAsync(source, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<FeedStatus> RunLockedAsync(IFeedSource source, CancellationToken ct)
    {
        var name = source.Options.Name;
        var previous = await statuses.GetAsync(name, ct);
        var status = (previous ?? new FeedStatus { Name = name }) with { Kind = source.Options.Kind, LastAttempt = clock.GetUtcNow() };
        string outcome;
        try
        {
            var run = await source.RunAsync(previous, ct);
            outcome = run.NotModified || run.Import is { } i && i.Added + i.Changed + i.MetadataChanged == 0 ? "not_modified" : "changed";
            status = status with
            {
                LastSuccess = status.LastAttempt,
                LastOutcome = outcome,
                LastError = null,
                AdvisoryCount = run.AdvisoryCount ?? status.AdvisoryCount,
                LastChangeCount = run.Import is { } changes ? changes.Added + changes.Changed + changes.MetadataChanged : status.LastChangeCount,
                LastRejectedCount = run.Import?.Failed ?? status.LastRejectedCount,
                ETag = run.ETag,
                LastModified = run.LastModified,
                Cursor = run.Cursor ?? status.Cursor,
            };
            logger.LogInformation("Feed {Source} ran: {Outcome}, {Changes} advisories changed", name, outcome, status.LastChangeCount);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            outcome = "failed";
            status = status with { LastOutcome = outcome, LastError = Describe(e) };
            logger.LogWarning("Feed {Source} failed, its stored advisories are kept: {Error}", name, status.LastError);
        }

        await statuses.SaveAsync(status, CancellationToken.None);
        metrics.FeedRun(status, outcome);
        return status;
    }

    /// <summary>POST /api/v1/advisories imports, recorded as the "upload" source.</summary>
    public async Task RecordUploadAsync(ImportResult result, CancellationToken ct)
    {
        var gate = locks.GetOrAdd(FeedKinds.Upload, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var previous = await statuses.GetAsync(FeedKinds.Upload, ct) ?? new FeedStatus { Name = FeedKinds.Upload, Kind = FeedKinds.Upload };
            var now = clock.GetUtcNow();
            var readable = result.Total - result.Failed;
            var failed = result.Failed > 0 && readable == 0;
            var changes = result.Added + result.Changed + result.MetadataChanged;
            var outcome = failed ? "failed" : changes == 0 ? "not_modified" : "changed";
            var status = previous with
            {
                LastAttempt = now,
                LastSuccess = failed ? previous.LastSuccess : now,
                LastOutcome = outcome,
                LastError = failed ? $"No record could be read: {result.Failures[0].Name}: {result.Failures[0].Reason}" : null,
                AdvisoryCount = previous.AdvisoryCount + result.Added,
                LastChangeCount = changes,
                LastRejectedCount = result.Failed,
            };
            await statuses.SaveAsync(status, CancellationToken.None);
            metrics.FeedRun(status, outcome);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The error for the status: its message (and an HTTP status when there is one), never a header or a key.</summary>
    private static string Describe(Exception e) => e switch
    {
        TimeoutException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException => $"Timed out: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
