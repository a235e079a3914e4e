namespace ImageScanning.CveFeed.Feeds;

/// <summary>
/// Runs every source with a positive Interval on its own loop: first when its interval has passed since its last
/// attempt (at once for a source never run), then every Interval. Each loop is independent: a slow or failing
/// source delays only itself.
/// </summary>
public sealed class FeedScheduler(FeedSources sources, FeedRunner runner, Status.IFeedStatusStore statuses, CveFeedMetrics metrics, TimeProvider clock)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The gauges show what is stored from the start, not only after this process's first run.
        foreach (var status in await statuses.ListAsync(stoppingToken)) metrics.Observe(status);
        await Task.WhenAll(sources.All.Where(s => s.Options.Interval > TimeSpan.Zero).Select(s => LoopAsync(s.Options, stoppingToken)));
    }

    private async Task LoopAsync(FeedSourceOptions source, CancellationToken ct)
    {
        try
        {
            var last = (await statuses.GetAsync(source.Name, ct))?.LastAttempt;
            var wait = last is { } t ? t + source.Interval - clock.GetUtcNow() : TimeSpan.Zero;
            while (!ct.IsCancellationRequested)
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
                await runner.RunAsync(source.Name, ct);
                wait = source.Interval;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
