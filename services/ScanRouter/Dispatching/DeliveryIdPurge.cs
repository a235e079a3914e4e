using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Outbox;

namespace ImageScanning.ScanRouter.Dispatching;

/// <summary>
/// Forgets registry delivery ids older than <see cref="OutboxOptions.InboxRetention"/> (7 days), every hour: they only stop a
/// webhook the registry sends again, which it does within minutes, and without a purge the table grows with every push for ever.
/// </summary>
public sealed class DeliveryIdPurge(IImageCatalogStore catalog, OutboxOptions outbox, TimeProvider clock, ILogger<DeliveryIdPurge> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>One pass; returns how many delivery ids were forgotten.</summary>
    public Task<long> PurgeOnceAsync(CancellationToken ct) => catalog.PurgeDeliveriesAsync(clock.GetUtcNow() - outbox.InboxRetention, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var purged = await PurgeOnceAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Forgot {Count} registry delivery ids older than {Retention}", purged, outbox.InboxRetention);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store that is unavailable now is tried again in an hour; nothing depends on this pass.
                logger.LogWarning(e, "Purging old registry delivery ids failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
