using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>The rows to write and the events to publish after they are written.</summary>
public sealed record LifecycleChanges(IReadOnlyList<FindingRecord> Writes, IReadOnlyList<FindingChanged> Events)
{
    public static readonly LifecycleChanges None = new([], []);
}

/// <summary>
/// Inspector's finding lifecycle as pure functions over an image's stored findings: a scan creates, updates, reopens
/// and closes findings; suppression rules move open findings between ACTIVE and SUPPRESSED. A rule that throws while being
/// matched suppresses nothing and is noted in the caller's <see cref="SuppressionRuleFailures"/>.
/// </summary>
public static class FindingLifecycle
{
    /// <summary>A finding closed for less than this comes back with its old id (Inspector's rule).</summary>
    public static readonly TimeSpan ReopenWindow = TimeSpan.FromDays(7);

    public static LifecycleChanges ApplyScan(
        IReadOnlyList<FindingRecord> stored, ImageRef image, ScanType scanType, IReadOnlyList<VulnerabilityFinding> observed,
        DateTimeOffset at, IReadOnlyList<SuppressionRule> rules, FindingArns arns, SuppressionRuleFailures ruleFailures)
    {
        var current = Current(stored);
        var writes = new List<FindingRecord>();
        var events = new List<FindingChanged>();
        var fixByVulnerability = FixAvailability(observed);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var finding in observed)
        {
            var key = FindingRecord.KeyOf(finding);
            if (!seen.Add(key)) continue; // a scanner may report the same package twice; one finding
            var fix = fixByVulnerability[finding.VulnerabilityId];
            current.TryGetValue(key, out var previous);
            var reopened = previous is not null && (previous.IsOpen || previous.ClosedAt >= at - ReopenWindow);
            // Judged as the finding will be stored: its ARN and first sighting when it keeps its row, ACTIVE before suppression.
            var subject = new CriteriaSubject(reopened ? previous!.Arn : null, image, finding, FindingStatus.ACTIVE, fix,
                reopened ? previous!.FirstObservedAt : at, at, at);
            var rule = SuppressionMatcher.FirstMatch(rules, subject, at, ruleFailures, arns.Account);
            var status = rule is null ? FindingStatus.ACTIVE : FindingStatus.SUPPRESSED;

            if (previous is null || (!previous.IsOpen && previous.ClosedAt < at - ReopenWindow))
            {
                var id = FindingArns.NewId();
                var created = new FindingRecord(id, arns.For(id), image, scanType, finding, status, fix, rule?.Id, at, at, at, null);
                writes.Add(created);
                events.Add(created.ToEvent(FindingChangeKind.CREATED));
                continue;
            }

            var next = previous with
            {
                Image = image, ScanType = scanType, Finding = finding, Status = status, FixAvailable = fix, SuppressedBy = rule?.Id,
                LastObservedAt = Max(previous.LastObservedAt, at), ClosedAt = null,
            };
            if (Differs(previous, next))
            {
                next = next with { UpdatedAt = at };
                events.Add(next.ToEvent(FindingChangeKind.UPDATED));
            }
            writes.Add(next);
        }

        foreach (var open in current.Values.Where(f => f.IsOpen && !seen.Contains(f.FindingKey)))
        {
            var closed = Close(open, at);
            writes.Add(closed);
            events.Add(closed.ToEvent(FindingChangeKind.CLOSED));
        }
        return new LifecycleChanges(writes, events);
    }

    /// <summary>The image is no longer monitored (eligibility expired): all its open findings close.</summary>
    public static LifecycleChanges CloseAll(IReadOnlyList<FindingRecord> stored, DateTimeOffset at)
    {
        var closed = stored.Where(f => f.IsOpen).Select(f => Close(f, at)).ToList();
        return new LifecycleChanges(closed, closed.Select(f => f.ToEvent(FindingChangeKind.CLOSED)).ToList());
    }

    /// <summary>Re-evaluates open findings against the rules in force at <paramref name="at"/>: only those whose status or rule changes are written.</summary>
    public static LifecycleChanges ApplyRules(
        IEnumerable<FindingRecord> open, IReadOnlyList<SuppressionRule> rules, DateTimeOffset at, SuppressionRuleFailures ruleFailures,
        AwsAccount? account = null)
    {
        var writes = new List<FindingRecord>();
        foreach (var finding in open.Where(f => f.IsOpen))
        {
            // Judged ACTIVE, as without any rule: a finding's own suppression does not decide whether it stays suppressed.
            var rule = SuppressionMatcher.FirstMatch(rules, CriteriaSubject.Of(finding) with { Status = FindingStatus.ACTIVE }, at, ruleFailures, account);
            var status = rule is null ? FindingStatus.ACTIVE : FindingStatus.SUPPRESSED;
            if (status == finding.Status && rule?.Id == finding.SuppressedBy) continue;
            writes.Add(finding with { Status = status, SuppressedBy = rule?.Id, UpdatedAt = at });
        }
        return new LifecycleChanges(writes, writes.Select(f => f.ToEvent(FindingChangeKind.UPDATED)).ToList());
    }

    /// <summary>Per vulnerability of one scan: YES when every package has a fix, NO when none has, PARTIAL otherwise.</summary>
    public static Dictionary<string, FixAvailable> FixAvailability(IEnumerable<VulnerabilityFinding> findings) =>
        findings.GroupBy(f => f.VulnerabilityId, StringComparer.Ordinal).ToDictionary(g => g.Key, g =>
            g.All(f => f.FixedInVersion is not null) ? FixAvailable.YES
            : g.Any(f => f.FixedInVersion is not null) ? FixAvailable.PARTIAL
            : FixAvailable.NO, StringComparer.Ordinal);

    /// <summary>Per finding key, the row that matters: the open one, else the most recently closed.</summary>
    private static Dictionary<string, FindingRecord> Current(IEnumerable<FindingRecord> stored) =>
        stored.GroupBy(f => f.FindingKey, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.OrderByDescending(f => f.IsOpen).ThenByDescending(f => f.ClosedAt).ThenByDescending(f => f.FirstObservedAt).First(),
            StringComparer.Ordinal);

    private static FindingRecord Close(FindingRecord f, DateTimeOffset at) =>
        f with { Status = FindingStatus.CLOSED, SuppressedBy = null, ClosedAt = at, UpdatedAt = at };

    private static bool Differs(FindingRecord a, FindingRecord b) =>
        a.Status != b.Status || a.SuppressedBy != b.SuppressedBy || a.FixAvailable != b.FixAvailable
        || a.Finding.Severity != b.Finding.Severity || a.Finding.FixedInVersion != b.Finding.FixedInVersion
        || a.Finding.CvssScore != b.Finding.CvssScore;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
