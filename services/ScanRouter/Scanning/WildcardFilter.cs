using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Matching;

namespace ImageScanning.ScanRouter.Scanning;

/// <summary>
/// ECR's WILDCARD repository filter (userguide "image-scanning-filters"):
/// a filter without <c>*</c> matches every repository name that CONTAINS it; a filter with <c>*</c>
/// must match the WHOLE name, each <c>*</c> standing for zero or more characters (it crosses <c>/</c>).
/// Matching is ordinal: filters and repository names are lowercase-only in ECR.
/// </summary>
/// <remarks>
/// A filter with <c>*</c> is the platform's one wildcard language (<see cref="WildcardPattern"/>, linear, shared with
/// Findings' suppression rules); only the substring rule for a filter without <c>*</c> is ECR's own.
/// moto's emulation (<c>filter in name or re.match(filter.replace('*','.*'), name)</c>) is looser
/// than ECR's table and is deliberately not copied.
/// </remarks>
public static class WildcardFilter
{
    /// <summary>Whether <paramref name="filter"/> selects <paramref name="repositoryName"/>. An empty filter selects nothing.</summary>
    public static bool Matches(string filter, string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(repositoryName);
        if (filter.Length == 0) return false; // ECR rejects it (length 1..255); never let it select everything.
        return filter.Contains(WildcardPattern.Wildcard)
            ? WildcardPattern.MatchesWhole(filter, repositoryName)
            : repositoryName.Contains(filter, StringComparison.Ordinal);
    }

    /// <summary>Whether a typed filter selects the repository; WILDCARD is the only filter type.</summary>
    public static bool Matches(ScanningRepositoryFilter filter, string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.FilterType == RepositoryFilterType.WILDCARD && Matches(filter.Filter, repositoryName);
    }
}
