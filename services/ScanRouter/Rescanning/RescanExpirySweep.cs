using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScanRouter.Rescanning;

/// <summary>
/// Expires images whose re-scan window passed even when no new advisory touched them, every <see cref="RescanOptions.SweepInterval"/>
/// (first run one interval after start-up). Walks each configured registry's catalog a page at a time; a page with images to
/// expire gets one unit of work (no inbox: the expiry is conditional, so a second sweep publishes nothing twice), holding the
/// expiries and their ScanEligibilityExpired events.
/// </summary>
public sealed class RescanExpirySweep(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IScanningConfigurationStore settings,
    RescanFanOut fanOut,
    IOptions<RescanOptions> options,
    TimeProvider clock,
    ILogger<RescanExpirySweep> logger)
    : BackgroundService
{
    private const int PageSize = 500;
    private const string Reason = "expiry sweep";

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
        foreach (var registry in await settings.ListConfiguredRegistriesAsync(ct))
        {
            var scanning = await settings.GetConfigurationAsync(registry, ct);
            var rescan = (await settings.GetRescanConfigurationAsync(registry, ct)).Configuration;
            string? token = null;
            do
            {
                // Read outside the unit of work, which holds the write lock; the fan-out decides again inside it.
                var page = await catalog.ListImagesAsync(registry, null, new ImagePageRequest(PageSize, token), ct);
                var now = clock.GetUtcNow();
                var candidates = page.Images.Where(i => RescanEligibility.Evaluate(scanning, rescan, i, now) == RescanOutcome.Expire).ToList();
                if (candidates.Count > 0) expired += await ExpireAsync(candidates, ct);
                token = page.NextToken;
            } while (token is not null);
        }
        if (expired > 0) logger.LogInformation("The re-scan expiry sweep expired {Count} images", expired);
        return expired;
    }

    private async Task<int> ExpireAsync(IReadOnlyList<ImageRecord> candidates, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        var result = await fanOut.ApplyAsync(candidates, work, sendRescans: false, ct);
        await work.CommitAsync(ct);
        fanOut.Report(result, sendRescans: false, Reason);
        return result.Expired;
    }
}
