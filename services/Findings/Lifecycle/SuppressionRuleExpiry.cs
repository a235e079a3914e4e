using MassTransit;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// When a suppression rule's expiry passes, the findings it suppressed become ACTIVE again. Checks every 30 s and
/// re-applies the rules only when some rule expired since the last check.
/// </summary>
public sealed class SuppressionRuleExpiry(
    IFindingLifecycleStore store, FindingLifecycleService lifecycle, IBus bus, TimeProvider clock, ILogger<SuppressionRuleExpiry> logger)
    : BackgroundService
{
    private DateTimeOffset _checkedUpTo = DateTimeOffset.MinValue;

    /// <summary>One check; returns how many findings changed.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rules = await store.ListRulesAsync(cancellationToken);
        var expired = rules.Any(r => r.ExpiresAt is { } at && at > _checkedUpTo && at <= now);
        _checkedUpTo = now;
        if (!expired) return 0;
        var changes = await lifecycle.ApplyRulesAsync(cancellationToken);
        foreach (var change in changes) await bus.Publish(change, cancellationToken);
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
