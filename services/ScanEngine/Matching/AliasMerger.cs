using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Matching;

/// <summary>
/// Makes one vulnerability one finding: the matches of ONE package whose advisories are aliases of each other
/// (GO-2023-2402 and GHSA-45x7-px36-x8w8, both aliasing CVE-2023-48795; a DSA and a DLA of the same CVE) become a
/// single match. Rules:
/// <list type="bullet">
/// <item>Matches are merged when they are linked through ids/aliases, the group has an identifier every member
/// carries (its id or an alias, or an alias of a grouped record it names as an alias), and no member is about more
/// than one CVE. Otherwise they stay separate matches, so nothing is mis-attributed: a DSA fixing CVE-a and CVE-b
/// is not the same vulnerability as DEBIAN-CVE-a.</item>
/// <item>Id: among the identifiers common to the group, a CVE first (Inspector's vulnerabilityId is the CVE), then
/// a GHSA, then the lowest ordinal. Aliases: every member's id and aliases, minus the chosen id, sorted.</item>
/// <item>Severity (and its CVSS, title, description, source URL): the member with the highest-confidence source,
/// ranked: the vendor of the package's own ecosystem (Debian for a Debian:12 package) &gt; another vendor (GHSA
/// for a Go module) &gt; a CVSS v3 vector &gt; none; on a tie, the higher severity.</item>
/// <item>Fix: the highest fixed version among the members that give one (the version that resolves every merged
/// advisory); none only when no member knows a fix.</item>
/// </list>
/// A package matching a single advisory keeps that advisory's id unchanged.
/// </summary>
public static class AliasMerger
{
    public static IReadOnlyList<VulnerabilityMatch> Merge(IReadOnlyList<VulnerabilityMatch> matches, IVersionComparer comparer)
    {
        ArgumentNullException.ThrowIfNull(matches);
        if (matches.Count < 2) return matches;

        // Union-find over the matches, joined by any shared identifier.
        var parent = Enumerable.Range(0, matches.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var firstWithIdentifier = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < matches.Count; i++)
            foreach (var identifier in IdentifiersOf(matches[i]))
            {
                if (firstWithIdentifier.TryGetValue(identifier, out var other)) parent[Find(i)] = Find(other);
                else firstWithIdentifier[identifier] = i;
            }

        var result = new List<VulnerabilityMatch>();
        foreach (var group in Enumerable.Range(0, matches.Count).GroupBy(Find).Select(g => g.Select(i => matches[i]).ToList()))
        {
            if (group.Count == 1) { result.Add(group[0]); continue; }
            var sets = group.Select(m => ExpandedIdentifiers(m, group)).ToList();
            var common = sets.Skip(1).Aggregate(sets[0], (set, next) => { set.IntersectWith(next); return set; });
            // A record about several CVEs (a DSA fixing three) is not "the same vulnerability" as any one of them.
            if (common.Count == 0 || sets.Any(set => set.Count(IsCve) > 1)) { result.AddRange(group); continue; }
            result.Add(MergeGroup(group, common, comparer));
        }
        return result;
    }

    private static bool IsCve(string identifier) => identifier.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> IdentifiersOf(VulnerabilityMatch match) => match.Aliases.Prepend(match.VulnerabilityId);

    /// <summary>
    /// A match's identifiers plus the aliases of the group's records it names: USN-5614-1's upstream is
    /// UBUNTU-CVE-2021-3782, whose upstream is CVE-2021-3782, so the USN is about CVE-2021-3782 too.
    /// </summary>
    private static HashSet<string> ExpandedIdentifiers(VulnerabilityMatch match, List<VulnerabilityMatch> group)
    {
        var set = new HashSet<string>(IdentifiersOf(match), StringComparer.OrdinalIgnoreCase);
        foreach (var named in group.Where(o => o != match && match.Aliases.Contains(o.VulnerabilityId, StringComparer.OrdinalIgnoreCase)))
            set.UnionWith(named.Aliases);
        return set;
    }

    private static VulnerabilityMatch MergeGroup(List<VulnerabilityMatch> group, HashSet<string> common, IVersionComparer comparer)
    {
        var id = common
            .OrderBy(i => i.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase) ? 0 : i.StartsWith("GHSA-", StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            .ThenBy(i => i, StringComparer.Ordinal)
            .First();
        var best = group
            .OrderByDescending(m => Confidence(m))
            .ThenByDescending(m => m.Severity)
            .ThenBy(m => m.VulnerabilityId, StringComparer.Ordinal)
            .First();
        var aliases = group.SelectMany(IdentifiersOf)
            .Where(i => !string.Equals(i, id, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return best with
        {
            VulnerabilityId = id,
            Aliases = aliases,
            FixedInVersion = HighestFix(group.Select(m => m.FixedInVersion), comparer),
            Published = group.Select(m => m.Published).Where(p => p is not null).Min(),
            Modified = group.Select(m => m.Modified).Where(p => p is not null).Max(),
            ReferenceUrls = group.SelectMany(m => m.ReferenceUrls).Distinct(StringComparer.Ordinal).ToList(),
            Related = group.SelectMany(m => m.Related).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>3: the package ecosystem's own vendor; 2: another vendor; 1: CVSS v3; 0: nothing.</summary>
    private static int Confidence(VulnerabilityMatch match) => match.SeveritySource switch
    {
        "NONE" or "" => 0,
        "CVSS_V3" => 1,
        var vendor when match.AdvisoryEcosystem.StartsWith(vendor, StringComparison.OrdinalIgnoreCase) => 3,
        _ => 2,
    };

    private static string? HighestFix(IEnumerable<string?> fixes, IVersionComparer comparer)
    {
        string? highest = null;
        foreach (var fix in fixes.OfType<string>())
        {
            if (highest is null) { highest = fix; continue; }
            try
            {
                if (comparer.Compare(fix, highest) > 0) highest = fix;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                // An unparsable fix cannot be ranked: keep the one that could.
            }
        }
        return highest;
    }
}
