using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Matching;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>Decides which suppression rule, if any, applies to a finding.</summary>
public static class SuppressionMatcher
{
    /// <summary>
    /// The first rule (oldest first, then by id) that is in force at <paramref name="now"/> and matches; null when none.
    /// A rule that throws while being matched does not match: it is noted in <paramref name="failures"/> and the next rule is tried,
    /// so one broken rule can neither stop a scan from being stored nor keep the other rules from applying.
    /// </summary>
    public static SuppressionRule? FirstMatch(
        IEnumerable<SuppressionRule> rules, ImageRef image, VulnerabilityFinding finding, FixAvailable fix, DateTimeOffset now,
        SuppressionRuleFailures failures)
    {
        foreach (var rule in rules.Where(r => IsInForce(r, now)).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            try
            {
                if (Matches(rule.Filter, image, finding, fix)) return rule;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add(rule, e);
            }
        }
        return null;
    }

    public static bool IsInForce(SuppressionRule rule, DateTimeOffset now) => rule.ExpiresAt is null || rule.ExpiresAt > now;

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
