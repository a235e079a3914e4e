using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScanRouter.Dispatching;

/// <summary>
/// Nothing stays IN_PROGRESS. Every <see cref="StuckScanOptions.StuckScanSweepInterval"/> it finds scans sent longer than
/// <see cref="StuckScanOptions.StuckScanAfter"/> ago without a result (a scanner died on them, or the broker lost them) and sends
/// the same ScanImage again (same scan id, new message id: scanners de-duplicate on the scan id), up to
/// <see cref="StuckScanOptions.MaxScanDispatches"/> sends; then it records FAILED with a reason and publishes ImageScanFailed
/// (TIMEOUT) so Findings records and announces the failure. One unit of work per image (no inbox: each write is conditional on the
/// dispatch count it read, so two sweepers never both act). On the in-memory bus, which forgets its queues on restart, every scan
/// IN_PROGRESS is sent again at start-up whatever its age (<see cref="StuckScanOptions.RedispatchOnStart"/>).
/// </summary>
public sealed class StuckScanSweeper(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IScanningConfigurationStore settings,
    IOptions<StuckScanOptions> options,
    MessagingOptions messaging,
    RouterMetrics metrics,
    TimeProvider clock,
    ILogger<StuckScanSweeper> logger)
    : BackgroundService
{
    private const int PageSize = 200;

    /// <summary>What one pass did: scans sent again, scans recorded FAILED.</summary>
    public sealed record Result(int Redispatched, int Failed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.StuckScanSweepInterval;
        if (options.Value.RedispatchOnStart ?? !messaging.IsRabbitMq) await RunAsync(RedispatchInFlightAsync, "The start-up re-dispatch of scans in progress", stoppingToken);
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await RunAsync(SweepOnceAsync, "The stuck-scan sweep", stoppingToken);
    }

    /// <summary>One pass: every scan sent at least <see cref="StuckScanOptions.StuckScanAfter"/> ago without a result.</summary>
    public Task<Result> SweepOnceAsync(CancellationToken ct)
    {
        var after = options.Value.StuckScanAfter;
        return SweepAsync(clock.GetUtcNow() - after, sent => $"No scan result within {Describe(after)}, {sent} times; the scanner may have crashed on this image.", ct);
    }

    /// <summary>Start-up on a bus that lost its queues: every scan in progress, whatever its age (each such send counts).</summary>
    public Task<Result> RedispatchInFlightAsync(CancellationToken ct) =>
        SweepAsync(DateTimeOffset.MaxValue, sent => $"No scan result after {sent} sends, the last lost with a restart; the scanner may have crashed on this image.", ct);

    private async Task<Result> SweepAsync(DateTimeOffset dispatchedBefore, Func<int, string> failure, CancellationToken ct)
    {
        int redispatched = 0, failed = 0;
        ImageKey? after = null;
        IReadOnlyList<ImageRecord> page;
        do
        {
            page = await catalog.ListInProgressScansAsync(dispatchedBefore, PageSize, after, ct);
            foreach (var image in page)
            {
                switch (await SettleAsync(image, failure, ct))
                {
                    case true: redispatched++; break;
                    case false: failed++; break;
                }
            }
            if (page.Count > 0) after = new ImageKey(page[^1].Registry, page[^1].Repository, page[^1].Digest);
        } while (page.Count == PageSize);
        if (redispatched + failed > 0)
            logger.LogWarning("Scans without a result: {Redispatched} sent again, {Failed} recorded FAILED", redispatched, failed);
        return new Result(redispatched, failed);
    }

    /// <summary>Sends the image's scan again (true) or fails it (false), in one unit of work; null when a result or another sweeper came first.</summary>
    private async Task<bool?> SettleAsync(ImageRecord image, Func<int, string> failure, CancellationToken ct)
    {
        if (image.LastScanId is not { } scanId) return null;
        // An image IN_PROGRESS from before dispatches were recorded: its scan went where the registry's scan type sends a push.
        var current = image.CurrentScan
            ?? new ScanDispatch((await settings.GetConfigurationAsync(image.Registry, ct)).ScanType, ScanTrigger.PUSH, 0, image.ScanStatusAt ?? image.UpdatedAt);
        var sent = Math.Max(current.Dispatches, 1);
        var imageRef = new ImageRef(image.Registry, image.Repository, image.Digest, image.Tags);
        var now = clock.GetUtcNow();

        await using var work = await database.BeginAsync(ct);
        var images = catalog.In(work);
        if (sent < options.Value.MaxScanDispatches)
        {
            var next = current with { Dispatches = sent + 1, DispatchedAt = now };
            if (!await images.TryRedispatchScanAsync(image.Registry, image.Repository, image.Digest, scanId, current.Dispatches, next, ct)) return null;
            work.Send(ScanQueues.For(current.ScanType, current.Trigger), new ScanImage(scanId, imageRef, current.ScanType, current.Trigger, now));
            await work.CommitAsync(ct);
            metrics.StuckScan("redispatched");
            logger.LogWarning("Scan {ScanId} of {Repository}@{Digest} had no result; sent again ({Dispatch} of {Max})",
                scanId, image.Repository, image.Digest, next.Dispatches, options.Value.MaxScanDispatches);
            return true;
        }

        var reason = failure(sent);
        if (!await images.TryFailStuckScanAsync(image.Registry, image.Repository, image.Digest, scanId, current.Dispatches, reason, now, ct)) return null;
        work.Publish(new ImageScanFailed(scanId, imageRef, current.ScanType, current.Trigger, ScanFailureReason.TIMEOUT, reason, now));
        await work.CommitAsync(ct);
        metrics.StuckScan("failed");
        logger.LogWarning("Scan {ScanId} of {Repository}@{Digest} recorded FAILED: {Reason}", scanId, image.Repository, image.Digest, reason);
        return false;
    }

    private async Task RunAsync(Func<CancellationToken, Task<Result>> pass, string name, CancellationToken ct)
    {
        try
        {
            await pass(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One failed pass (store unavailable) must not stop the next one.
            logger.LogError(e, "{Pass} failed; the sweep runs again in {Interval}", name, options.Value.StuckScanSweepInterval);
        }
    }

    /// <summary>"15 minutes", "1 hour", "90 seconds": a duration as a user reads it.</summary>
    internal static string Describe(TimeSpan duration)
    {
        static string Unit(double value, string unit) =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.##} {unit}{(value == 1 ? "" : "s")}");
        if (duration.TotalHours >= 1 && duration.TotalMinutes % 60 == 0) return Unit(duration.TotalHours, "hour");
        if (duration.TotalMinutes >= 1 && duration.TotalSeconds % 60 == 0) return Unit(duration.TotalMinutes, "minute");
        return Unit(duration.TotalSeconds, "second");
    }
}
