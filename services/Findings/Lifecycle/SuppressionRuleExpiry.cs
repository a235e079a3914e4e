using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Extensions;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// When a suppression rule's expiry passes, the findings it suppressed become ACTIVE again. Checks every 30 s and re-applies the
/// rules only when some rule expired since the last check: the status changes and their FindingChanged events in one unit of work.
/// A check whose work fails is repeated at the next tick (re-applying the rules is idempotent).
/// </summary>
public sealed class SuppressionRuleExpiry(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database,
    IFindingLifecycleStore store, FindingLifecycleService lifecycle, TimeProvider clock, ILogger<SuppressionRuleExpiry> logger)
    : BackgroundService
{
    private DateTimeOffset _checkedUpTo = DateTimeOffset.MinValue;

    /// <summary>One check; returns how many findings changed.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Read outside a unit of work: most checks find nothing expired and take no write lock.
        var rules = await store.ListRulesAsync(cancellationToken);
        if (!rules.Any(r => r.ExpiresAt is { } at && at > _checkedUpTo && at <= now))
        {
            _checkedUpTo = now;
            return 0;
        }
        await using var work = await database.BeginAsync(cancellationToken);
        var changes = await lifecycle.In(work).ApplyRulesAsync(cancellationToken);
        foreach (var change in changes) work.Publish(change, EventMessageIds.FindingChanged(change));
        await work.CommitAsync(cancellationToken);
        // Only now: a check that failed before its commit finds the same expiry next time.
        _checkedUpTo = now;
        return changes.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), clock);
        do
        {
            try
            {
                var changed = await CheckAsync(stoppingToken);
                if (changed > 0) logger.LogInformation("Suppression rules expired: {Count} findings changed status", changed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking suppression rule expiry failed; will retry");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
