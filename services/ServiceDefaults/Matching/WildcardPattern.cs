namespace ImageScanning.ServiceDefaults.Matching;

/// <summary>
/// The platform's one wildcard language: <c>*</c> stands for zero or more characters of any kind (it crosses <c>/</c>), every
/// other character stands for itself, compared ordinally (case-sensitive, culture-free), and the pattern must cover the whole
/// text. ECR's repository filters (ScanRouter) and Findings' suppression rules both match with it.
/// </summary>
/// <remarks>
/// Patterns come from users, so matching must stay cheap whatever they write: the glob is matched greedily, remembering only
/// the last <c>*</c> (the classic two-pointer algorithm), at most pattern length × text length steps and no recursion.
/// A later <c>*</c> can absorb anything an earlier one would have had to give back, so backtracking to the last one suffices.
/// A regular expression built from the pattern (<c>.*</c> per star) backtracks exponentially on patterns like
/// <c>*a*a*a…*ab</c>, and a timeout on it turns a user's rule into a failure of whoever evaluates it.
/// </remarks>
public static class WildcardPattern
{
    public const char Wildcard = '*';

    /// <summary>Whether <paramref name="pattern"/> matches the whole of <paramref name="text"/>; without a <c>*</c> that is ordinal equality.</summary>
    public static bool MatchesWhole(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0;
        var lastStar = -1; // index in the pattern of the last '*' seen
        var resumeAt = 0;  // index in the text that the last '*' currently swallows up to
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
