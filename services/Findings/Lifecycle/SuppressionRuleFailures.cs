using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>A rule that threw while being matched: how many findings it failed on, and the first error.</summary>
public sealed record SuppressionRuleFailure(string RuleId, string RuleName, int Findings, Exception FirstError);

/// <summary>
/// The rules that threw during one evaluation of many findings (a scan, or re-applying the rules), one entry per rule: a broken
/// rule fails on every finding, and one report per rule per evaluation says as much as one per finding.
/// </summary>
public sealed class SuppressionRuleFailures
{
    private readonly Dictionary<string, SuppressionRuleFailure> _byRule = new(StringComparer.Ordinal);

    public IReadOnlyCollection<SuppressionRuleFailure> All => _byRule.Values;

    public void Add(SuppressionRule rule, Exception error)
    {
        // A rule broken enough to throw may lack its id too; it is still reported, under a name that says so.
        var id = rule.Id ?? "(no id)";
        _byRule[id] = _byRule.TryGetValue(id, out var seen)
            ? seen with { Findings = seen.Findings + 1 }
            : new SuppressionRuleFailure(id, rule.Name ?? "", 1, error);
    }
}

/// <summary>Logs each failed rule with its id and counts the findings it failed on; the findings were kept unsuppressed by it.</summary>
public sealed class SuppressionRuleFailureReporter(ILogger<SuppressionRuleFailureReporter> logger, FindingsMetrics metrics)
{
    public void Report(SuppressionRuleFailures failures)
    {
        foreach (var failure in failures.All)
        {
            logger.LogError(failure.FirstError,
                "Suppression rule {RuleId} ('{RuleName}') could not be evaluated on {FindingCount} finding(s), which it therefore does not suppress; fix or delete the rule",
                failure.RuleId, failure.RuleName, failure.Findings);
            metrics.SuppressionRuleFailed(failure.RuleId, failure.Findings);
        }
    }
}
