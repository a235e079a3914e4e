using ImageScanning.ScanRouter.Data;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScanRouter.Rescanning;

/// <summary>
/// Expires images whose re-scan window passed even when no new advisory touched them, every <see cref="RescanOptions.SweepInterval"/>
/// (first run one interval after start-up). Walks each configured registry's catalog a page at a time.
/// </summary>
public sealed class RescanExpirySweep(
    IScanRouterStore store, RescanFanOut fanOut, IBus bus, IOptions<RescanOptions> options, TimeProvider clock, ILogger<RescanExpirySweep> logger)
    : BackgroundService
{
    private const int PageSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failed sweep (store unavailable) must not stop the next one.
                logger.LogError(e, "The re-scan expiry sweep failed; it runs again in {Interval}", options.Value.SweepInterval);
            }
        }
    }

    /// <summary>One pass over every configured registry; returns how many images it expired.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var expired = 0;
        foreach (var registry in await store.ListConfiguredRegistriesAsync(ct))
        {
            string? token = null;
            do
            {
                var page = await store.ListImagesAsync(registry, null, new ImagePageRequest(PageSize, token), ct);
                expired += (await fanOut.ApplyAsync(page.Images, bus, bus, sendRescans: false, "expiry sweep", ct)).Expired;
                token = page.NextToken;
            } while (token is not null);
        }
        if (expired > 0) logger.LogInformation("The re-scan expiry sweep expired {Count} images", expired);
        return expired;
    }
}
