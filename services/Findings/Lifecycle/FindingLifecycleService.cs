using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// Applies scans, expiries and suppression rules to the stored findings. Each method returns the events the change causes.
/// Joined with a unit of work (<see cref="In"/>) the caller queues them in the work's outbox, so they are published if and only
/// if the change commits; a subscriber never hears of a finding the store does not hold, nor misses one it does.
/// </summary>
public sealed class FindingLifecycleService
{
    private const int MaxAttempts = 5;

    private readonly IFindingLifecycleStore _store;
    private readonly FindingArns _arns;
    private readonly TimeProvider _clock;
    private readonly SuppressionRuleFailureReporter? _ruleFailures;
    private readonly bool _joined;

    /// <param name="ruleFailures">Logs and counts rules that threw while being matched; the host always registers one, tests that
    /// build the service by hand may leave it out (such a rule then still suppresses nothing, unreported).</param>
    public FindingLifecycleService(IFindingLifecycleStore store, FindingArns arns, TimeProvider clock, SuppressionRuleFailureReporter? ruleFailures = null)
        : this(store, arns, clock, ruleFailures, joined: false) { }

    private FindingLifecycleService(IFindingLifecycleStore store, FindingArns arns, TimeProvider clock, SuppressionRuleFailureReporter? ruleFailures, bool joined)
    {
        _store = store;
        _arns = arns;
        _clock = clock;
        _ruleFailures = ruleFailures;
        _joined = joined;
    }

    /// <summary>This service with every read and write in <paramref name="work"/>'s transaction.</summary>
    public FindingLifecycleService In(UnitOfWork work) => new(_store.In(work), _arns, _clock, _ruleFailures, joined: true);

    /// <summary>
    /// Diffs a completed scan against the image's findings and commits the result. A scan older than the one already
    /// applied (a late message) changes nothing and returns no events.
    /// </summary>
    public async Task<IReadOnlyList<FindingChanged>> ApplyScanAsync(ImageScanned scan, CancellationToken cancellationToken)
    {
        var rules = await _store.ListRulesAsync(cancellationToken);
        // A re-match carries no packages: the stored inventory stays (a null inventory leaves it as it is).
        var inventory = scan.InventoryUnchanged ? null : new ImageInventory(scan.Image, scan.ScanType, scan.OperatingSystem, scan.Packages, scan.CompletedAt);
        return await CommitAsync(FindingRecord.KeyOf(scan.Image), scan.CompletedAt, scan.ScanId, inventory,
            state => Reporting(failures => FindingLifecycle.ApplyScan(state.Findings, scan.Image, scan.ScanType, scan.Findings, scan.CompletedAt, rules, _arns, failures)),
            cancellationToken);
    }

    /// <summary>Closes the image's open findings: it left its re-scan window and is no longer monitored.</summary>
    public Task<IReadOnlyList<FindingChanged>> ExpireAsync(ImageRef image, DateTimeOffset at, CancellationToken cancellationToken) =>
        CommitAsync(FindingRecord.KeyOf(image), at, null, null, state => FindingLifecycle.CloseAll(state.Findings, at), cancellationToken);

    /// <summary>Re-applies the rules in force now to every open finding (after a rule is saved, deleted or expires).</summary>
    public async Task<IReadOnlyList<FindingChanged>> ApplyRulesAsync(CancellationToken cancellationToken)
    {
        var rules = await _store.ListRulesAsync(cancellationToken);
        var open = await _store.ListOpenFindingsAsync(cancellationToken);
        var now = _clock.GetUtcNow();
        var changes = Reporting(failures => FindingLifecycle.ApplyRules(open, rules, now, failures, _arns.Account));
        await _store.UpdateFindingsAsync(changes.Writes, cancellationToken);
        return changes.Events;
    }

    /// <summary>Runs one evaluation of the rules and reports the rules that failed in it (again on a retried commit: it evaluated again).</summary>
    private LifecycleChanges Reporting(Func<SuppressionRuleFailures, LifecycleChanges> evaluate)
    {
        var failures = new SuppressionRuleFailures();
        var changes = evaluate(failures);
        _ruleFailures?.Report(failures);
        return changes;
    }

    private async Task<IReadOnlyList<FindingChanged>> CommitAsync(
        string imageKey, DateTimeOffset at, Guid? scanId, ImageInventory? inventory,
        Func<ImageFindingsState, LifecycleChanges> diff, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await _store.GetImageAsync(imageKey, cancellationToken);
            // Never go back in time; and a redelivered scan that was already applied changes nothing.
            if (state.AppliedAt > at || (scanId is not null && state.AppliedScanId == scanId)) return [];
            var changes = diff(state);
            if (await _store.TryCommitAsync(new ImageFindingsCommit(imageKey, state.Revision, at, scanId, changes.Writes, inventory), cancellationToken))
                return changes.Events;
            // In a unit of work the state was read in the same transaction (SQLite holds the write lock; Mongo reads a snapshot
            // and aborts on a write conflict): reading it again would see the same revision. The whole message starts over.
            if (_joined || attempt == MaxAttempts)
                throw new FindingsChangedConcurrentlyException(imageKey);
        }
    }
}

/// <summary>Another commit changed an image's findings first; the message is retried and applies its change on the new state.</summary>
public sealed class FindingsChangedConcurrentlyException(string imageKey)
    : Exception($"The findings of {imageKey} changed while a change to them was being committed; the message will be retried.");
