using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Scanning;

/// <summary>
/// ECR's WILDCARD repository filter (userguide "image-scanning-filters"):
/// a filter without <c>*</c> matches every repository name that CONTAINS it; a filter with <c>*</c>
/// must match the WHOLE name, each <c>*</c> standing for zero or more characters (it crosses <c>/</c>).
/// Matching is ordinal: filters and repository names are lowercase-only in ECR.
/// </summary>
/// <remarks>
/// The glob is matched greedily, remembering only the last <c>*</c> (the classic two-pointer
/// algorithm): at most O(filter × name) steps, never exponential backtracking, whatever the input.
/// moto's emulation (<c>filter in name or re.match(filter.replace('*','.*'), name)</c>) is looser
/// than ECR's table and is deliberately not copied.
/// </remarks>
public static class WildcardFilter
{
    public const char Wildcard = '*';

    /// <summary>Whether <paramref name="filter"/> selects <paramref name="repositoryName"/>. An empty filter selects nothing.</summary>
    public static bool Matches(string filter, string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(repositoryName);
        if (filter.Length == 0) return false; // ECR rejects it (length 1..255); never let it select everything.
        return filter.Contains(Wildcard)
            ? GlobMatchesWhole(filter, repositoryName)
            : repositoryName.Contains(filter, StringComparison.Ordinal);
    }

    /// <summary>Whether a typed filter selects the repository; WILDCARD is the only filter type.</summary>
    public static bool Matches(ScanningRepositoryFilter filter, string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.FilterType == RepositoryFilterType.WILDCARD && Matches(filter.Filter, repositoryName);
    }

    private static bool GlobMatchesWhole(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0;
        int lastStar = -1; // index in pattern of the last '*' seen
        int resumeAt = 0;  // index in text that the last '*' currently swallows up to
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == Wildcard)
            {
                lastStar = p++;
                resumeAt = t; // '*' first tries to match the empty string
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (lastStar >= 0)
            {
                p = lastStar + 1; // let the last '*' swallow one more character and retry
                t = ++resumeAt;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == Wildcard) p++;
        return p == pattern.Length;
    }
}
