using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// Applies scans, expiries and suppression rules to the stored findings. Each method returns the events to publish;
/// they describe rows that are already committed, so a subscriber never hears of a finding the store does not hold.
/// </summary>
public sealed class FindingLifecycleService(IFindingLifecycleStore store, FindingArns arns, TimeProvider clock)
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// Diffs a completed scan against the image's findings and commits the result. A scan older than the one already
    /// applied (a late message) changes nothing and returns no events.
    /// </summary>
    public async Task<IReadOnlyList<FindingChanged>> ApplyScanAsync(ImageScanned scan, CancellationToken cancellationToken)
    {
        var rules = await store.ListRulesAsync(cancellationToken);
        // A re-match carries no packages: the stored inventory stays (a null inventory leaves it as it is).
        var inventory = scan.InventoryUnchanged ? null : new ImageInventory(scan.Image, scan.ScanType, scan.OperatingSystem, scan.Packages, scan.CompletedAt);
        return await CommitAsync(FindingRecord.KeyOf(scan.Image), scan.CompletedAt, scan.ScanId, inventory,
            state => FindingLifecycle.ApplyScan(state.Findings, scan.Image, scan.ScanType, scan.Findings, scan.CompletedAt, rules, arns),
            cancellationToken);
    }

    /// <summary>Closes the image's open findings: it left its re-scan window and is no longer monitored.</summary>
    public Task<IReadOnlyList<FindingChanged>> ExpireAsync(ImageRef image, DateTimeOffset at, CancellationToken cancellationToken) =>
        CommitAsync(FindingRecord.KeyOf(image), at, null, null, state => FindingLifecycle.CloseAll(state.Findings, at), cancellationToken);

    /// <summary>Re-applies the rules in force now to every open finding (after a rule is saved, deleted or expires).</summary>
    public async Task<IReadOnlyList<FindingChanged>> ApplyRulesAsync(CancellationToken cancellationToken)
    {
        var rules = await store.ListRulesAsync(cancellationToken);
        var open = await store.ListOpenFindingsAsync(cancellationToken);
        var changes = FindingLifecycle.ApplyRules(open, rules, clock.GetUtcNow());
        await store.UpdateFindingsAsync(changes.Writes, cancellationToken);
        return changes.Events;
    }

    private async Task<IReadOnlyList<FindingChanged>> CommitAsync(
        string imageKey, DateTimeOffset at, Guid? scanId, ImageInventory? inventory,
        Func<ImageFindingsState, LifecycleChanges> diff, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await store.GetImageAsync(imageKey, cancellationToken);
            // Never go back in time; and a redelivered scan that was already applied changes nothing.
            if (state.AppliedAt > at || (scanId is not null && state.AppliedScanId == scanId)) return [];
            var changes = diff(state);
            if (await store.TryCommitAsync(new ImageFindingsCommit(imageKey, state.Revision, at, scanId, changes.Writes, inventory), cancellationToken))
                return changes.Events;
            if (attempt == MaxAttempts)
                throw new InvalidOperationException($"Findings of {imageKey} kept changing under {MaxAttempts} attempts to commit; the message will be retried.");
        }
    }
}
