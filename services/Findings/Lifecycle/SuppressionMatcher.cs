using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.ServiceDefaults.Matching;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>Decides which suppression rule, if any, applies to a finding.</summary>
public static class SuppressionMatcher
{
    private static readonly AwsAccount DefaultAccount = new(new AwsOptions());

    /// <summary>
    /// The first SUPPRESS rule (oldest first, then by id) that is in force at <paramref name="now"/> and matches; null when none.
    /// A rule with Criteria (Inspector's filter) is judged by <see cref="FindingCriteriaMatcher"/> on <paramref name="subject"/>
    /// as the account (<paramref name="account"/>) names it; a rule with only the REST API's Filter by <see cref="Matches(SuppressionFilter, ImageRef, VulnerabilityFinding, FixAvailable)"/>.
    /// Action NONE (a saved filter) suppresses nothing.
    /// A rule that throws while being matched does not match: it is noted in <paramref name="failures"/> and the next rule is tried,
    /// so one broken rule can neither stop a scan from being stored nor keep the other rules from applying.
    /// </summary>
    public static SuppressionRule? FirstMatch(
        IEnumerable<SuppressionRule> rules, CriteriaSubject subject, DateTimeOffset now, SuppressionRuleFailures failures, AwsAccount? account = null)
    {
        foreach (var rule in rules.Where(r => r.Action == FilterAction.SUPPRESS && IsInForce(r, now))
                     .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            try
            {
                if (Matches(rule, subject, account ?? DefaultAccount)) return rule;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add(rule, e);
            }
        }
        return null;
    }

    /// <summary>Compatibility for callers without a stored finding yet: the finding as it would be stored now, ACTIVE.</summary>
    public static SuppressionRule? FirstMatch(
        IEnumerable<SuppressionRule> rules, ImageRef image, VulnerabilityFinding finding, FixAvailable fix, DateTimeOffset now,
        SuppressionRuleFailures failures, AwsAccount? account = null) =>
        FirstMatch(rules, new CriteriaSubject(null, image, finding, FindingStatus.ACTIVE, fix, now, now, now), now, failures, account);

    public static bool IsInForce(SuppressionRule rule, DateTimeOffset now) => rule.ExpiresAt is null || rule.ExpiresAt > now;

    /// <summary>Whether the rule's Criteria (or, for a rule of the REST API's form, its Filter) matches the finding.</summary>
    public static bool Matches(SuppressionRule rule, CriteriaSubject subject, AwsAccount account) =>
        rule.Criteria is { } criteria
            ? FindingCriteriaMatcher.Matches(criteria, subject, account)
            : Matches(rule.Filter!, subject.Image, subject.Finding, subject.FixAvailable);

    /// <summary>
    /// Whether every criterion the filter names holds. The repository is a <see cref="WildcardPattern"/> over the whole name
    /// (<c>team/*</c>, <c>*/api</c>; without <c>*</c> the exact name), case-sensitive like every other name criterion.
    /// </summary>
    public static bool Matches(SuppressionFilter filter, ImageRef image, VulnerabilityFinding finding, FixAvailable fix) =>
        (filter.Severities is not { Count: > 0 } s || s.Contains(finding.Severity))
        && (filter.VulnerabilityIds is not { Count: > 0 } ids
            || ids.Any(id => string.Equals(id, finding.VulnerabilityId, StringComparison.OrdinalIgnoreCase)
                             || finding.Aliases.Contains(id, StringComparer.OrdinalIgnoreCase)))
        && (filter.PackageNames is not { Count: > 0 } names
            || names.Contains(finding.Package.Name, StringComparer.Ordinal)
            || (finding.Package.SourceName is { } source && names.Contains(source, StringComparer.Ordinal)))
        && (filter.Registry is null || filter.Registry == image.Registry)
        && (filter.Repository is null || WildcardPattern.MatchesWhole(filter.Repository, image.Repository))
        && (filter.ImageDigest is null || filter.ImageDigest == image.Digest)
        && (filter.FixAvailable is null || filter.FixAvailable == fix);

    /// <summary>Why a rule cannot be stored, or null: an Inspector filter needs a name and criteria, the REST form also a reason.</summary>
    public static string? Validate(SaveSuppressionRule request)
    {
        if (request.Criteria is null) return Validate(request.Filter, request.Name, request.Reason);
        if (request.Filter is not null) return "A rule holds either a filter or criteria, not both.";
        if (string.IsNullOrWhiteSpace(request.Name)) return "A filter needs a name.";
        // Inspector accepts empty criteria (a SUPPRESS filter matching every finding is the user's choice there as well).
        return null;
    }

    /// <summary>Why a filter cannot be stored, or null: an empty filter would silently suppress everything.</summary>
    public static string? Validate(SuppressionFilter? filter, string? name, string? reason)
    {
        if (string.IsNullOrWhiteSpace(name)) return "A suppression rule needs a name.";
        if (string.IsNullOrWhiteSpace(reason)) return "A suppression rule needs a reason.";
        if (filter is null) return "A suppression rule needs a filter.";
        var empty = filter.Severities is not { Count: > 0 } && filter.VulnerabilityIds is not { Count: > 0 }
            && filter.PackageNames is not { Count: > 0 } && filter.Registry is null && filter.Repository is null
            && filter.ImageDigest is null && filter.FixAvailable is null;
        if (empty) return "A suppression rule's filter must name at least one criterion.";
        if (filter.Repository is { Length: 0 or > 256 }) return "The repository pattern must be 1-256 characters.";
        return null;
    }
}
