using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Advisories;

/// <summary>
/// Whether a version is affected by one OSV <c>affected[]</c> entry, with the OSV schema's semantics:
/// <list type="bullet">
///   <item>a version listed in <c>versions</c> (exact string) is affected;</item>
///   <item>ECOSYSTEM and SEMVER ranges are evaluated with the ecosystem's comparer: events sorted by
///   version ("0" first), <c>introduced</c> opens (inclusive; "0" = from the beginning), <c>fixed</c>
///   closes (exclusive), <c>last_affected</c> closes (inclusive), and a version at or above a
///   <c>limit</c> is outside the range ("*" = no limit);</item>
///   <item>GIT ranges (commit hashes) are ignored;</item>
///   <item>a range whose versions the comparer cannot order (it throws) is skipped, so one malformed
///   event cannot fail a scan.</item>
/// </list>
/// </summary>
public static class AffectedRanges
{
    /// <param name="fixedIn">
    /// When affected: the <c>fixed</c> event closing the matching range's interval, or the lowest fixed
    /// above the version when only the <c>versions</c> list matched; null when no fix is known.
    /// </param>
    public static bool IsAffected(OsvAffected affected, string version, IVersionComparer comparer, out string? fixedIn)
    {
        ArgumentNullException.ThrowIfNull(affected);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(comparer);
        fixedIn = null;

        var matched = false;
        string? bestFix = null;
        foreach (var range in affected.Ranges)
        {
            if (!IsComparable(range)) continue;
            if (!TryEvaluate(range, version, comparer, out var inRange, out var rangeFix) || !inRange) continue;
            matched = true;
            if (rangeFix is not null && (bestFix is null || SafeCompare(comparer, rangeFix, bestFix) < 0))
                bestFix = rangeFix;
        }

        if (!matched && ListsVersion(affected, version))
        {
            matched = true;
            bestFix = LowestFixAbove(affected, version, comparer);
        }

        fixedIn = matched ? bestFix : null;
        return matched;
    }

    public static bool IsAffected(OsvAffected affected, string version, IVersionComparer comparer) =>
        IsAffected(affected, version, comparer, out _);

    private static bool IsComparable(OsvRange range) =>
        range.Type is OsvRangeTypes.Ecosystem or OsvRangeTypes.Semver;

    private static bool ListsVersion(OsvAffected affected, string version)
    {
        foreach (var listed in affected.Versions)
            if (string.Equals(listed, version, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The OSV evaluation of one range over its sorted events.</summary>
    private static bool TryEvaluate(OsvRange range, string version, IVersionComparer comparer, out bool affected, out string? fix)
    {
        affected = false;
        fix = null;
        try
        {
            foreach (var evt in range.Events)
                if (evt.Kind == OsvEventKind.Limit && evt.Version != "*" && comparer.Compare(version, evt.Version) >= 0)
                    return true;

            var events = Sort(range.Events, comparer);
            var vulnerable = false;
            for (var i = 0; i < events.Count; i++)
            {
                var evt = events[i];
                switch (evt.Kind)
                {
                    case OsvEventKind.Introduced:
                        if (IsZero(evt.Version) || comparer.Compare(version, evt.Version) >= 0)
                            vulnerable = true;
                        break;
                    case OsvEventKind.Fixed:
                        if (comparer.Compare(version, evt.Version) >= 0) vulnerable = false;
                        break;
                    case OsvEventKind.LastAffected:
                        if (comparer.Compare(version, evt.Version) > 0) vulnerable = false;
                        break;
                }
            }
            if (!vulnerable) return true;
            affected = true;
            // The fix is the first fixed event above the version (the end of the open interval).
            foreach (var evt in events)
                if (evt.Kind == OsvEventKind.Fixed && comparer.Compare(version, evt.Version) < 0)
                {
                    fix = evt.Version;
                    break;
                }
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Events in version order; "0" first. At equal versions an introduced comes before a closing event,
    /// so a range introduced and fixed at the same version is empty.
    /// </summary>
    private static List<OsvEvent> Sort(IReadOnlyList<OsvEvent> events, IVersionComparer comparer)
    {
        var list = events.Where(e => e.Kind != OsvEventKind.Limit).ToList();
        // A stable insertion sort: event lists are short, and List.Sort is not stable.
        for (var i = 1; i < list.Count; i++)
        {
            var current = list[i];
            var j = i - 1;
            while (j >= 0 && CompareEvents(list[j], current, comparer) > 0)
            {
                list[j + 1] = list[j];
                j--;
            }
            list[j + 1] = current;
        }
        return list;
    }

    private static int CompareEvents(OsvEvent a, OsvEvent b, IVersionComparer comparer)
    {
        var aZero = a.Kind == OsvEventKind.Introduced && IsZero(a.Version);
        var bZero = b.Kind == OsvEventKind.Introduced && IsZero(b.Version);
        if (aZero || bZero) return aZero == bZero ? 0 : aZero ? -1 : 1;
        var byVersion = comparer.Compare(a.Version, b.Version);
        if (byVersion != 0) return byVersion;
        var aOpens = a.Kind == OsvEventKind.Introduced;
        var bOpens = b.Kind == OsvEventKind.Introduced;
        return aOpens == bOpens ? 0 : aOpens ? -1 : 1;
    }

    private static string? LowestFixAbove(OsvAffected affected, string version, IVersionComparer comparer)
    {
        string? best = null;
        foreach (var range in affected.Ranges)
        {
            if (!IsComparable(range)) continue;
            foreach (var evt in range.Events)
            {
                if (evt.Kind != OsvEventKind.Fixed) continue;
                if (SafeCompare(comparer, version, evt.Version) >= 0) continue;
                if (best is null || SafeCompare(comparer, evt.Version, best) < 0) best = evt.Version;
            }
        }
        return best;
    }

    /// <summary>Compares, treating versions the comparer rejects as equal (never throws).</summary>
    private static int SafeCompare(IVersionComparer comparer, string a, string b)
    {
        try
        {
            return comparer.Compare(a, b);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static bool IsZero(string version) => version == "0";
}
