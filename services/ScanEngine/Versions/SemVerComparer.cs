using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Versions;

/// <summary>
/// Semantic Versioning 2.0 precedence (https://semver.org/#spec-item-11), shared by the ecosystems whose
/// versions are SemVer or close to it: npm, crates.io, NuGet and Go.
/// <list type="bullet">
///   <item>Release numbers compare numerically, whatever their length (no overflow).</item>
///   <item>A version with a prerelease is lower than the same version without one; prerelease identifiers
///   compare left to right, numeric ones numerically and below alphanumeric ones, alphanumeric ones
///   ordinally (as node-semver does with JavaScript strings); a shorter list of equal identifiers is lower.</item>
///   <item>Build metadata ("+...") is ignored, so Go's "+incompatible" needs nothing special.</item>
/// </list>
/// Lenient like node-semver's loose mode: blanks and a leading "v" or "=" are ignored, leading zeros are
/// allowed, the "-" before a prerelease may be missing ("1.2.3beta"); beyond the loose mode, missing minor
/// or patch numbers count as 0 ("1.2" = "1.2.0"), as npm does for X-ranges. Never throws: text that is not
/// a version at all sorts before every version, ordinally among itself; null sorts first.
/// </summary>
public sealed class SemVerComparer : IVersionComparer
{
    /// <summary>npm and crates.io: three release numbers, case-sensitive prerelease identifiers.</summary>
    public static SemVerComparer Instance { get; } = new("semver", releaseParts: 3, ignorePrereleaseCase: false);

    /// <summary>
    /// NuGet: up to four release numbers ("1.0.0.1" &gt; "1.0.0"; missing ones are 0) and prerelease labels
    /// compared case-insensitively, as NuGet's VersionComparer does.
    /// </summary>
    public static SemVerComparer NuGet { get; } = new("nuget", releaseParts: 4, ignorePrereleaseCase: true);

    /// <summary>Go modules: SemVer with the "v" prefix Go requires ("v1.2.3", "v2.0.0+incompatible").</summary>
    public static SemVerComparer Go { get; } = new("go", releaseParts: 3, ignorePrereleaseCase: false);

    private readonly int releaseParts;
    private readonly StringComparison identifierComparison;

    private SemVerComparer(string scheme, int releaseParts, bool ignorePrereleaseCase)
    {
        Scheme = scheme;
        this.releaseParts = releaseParts;
        identifierComparison = ignorePrereleaseCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    public string Scheme { get; }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = SemanticVersion.TryParse(x, releaseParts, out var va);
        var b = SemanticVersion.TryParse(y, releaseParts, out var vb);
        if (!a || !b)
        {
            if (a != b) return a ? 1 : -1; // not-a-version sorts first
            return Math.Sign(string.CompareOrdinal(x.Trim(), y.Trim()));
        }
        return CompareParsed(va, vb);
    }

    /// <summary>Whether a string is a version this comparer orders by SemVer rules (not the fallback).</summary>
    public bool IsValid(string? version) => version is not null && SemanticVersion.TryParse(version, releaseParts, out _);

    private int CompareParsed(SemanticVersion a, SemanticVersion b)
    {
        for (var i = 0; i < releaseParts; i++)
        {
            var c = CompareNumbers(a.Release[i], b.Release[i]);
            if (c != 0) return c;
        }
        var pa = a.Prerelease;
        var pb = b.Prerelease;
        if (pa.Length == 0 || pb.Length == 0) return pa.Length == pb.Length ? 0 : pa.Length == 0 ? 1 : -1;
        for (var i = 0; i < Math.Min(pa.Length, pb.Length); i++)
        {
            var c = CompareIdentifiers(pa[i], pb[i]);
            if (c != 0) return c;
        }
        return pa.Length.CompareTo(pb.Length);
    }

    private int CompareIdentifiers(string a, string b)
    {
        var an = IsDigits(a);
        var bn = IsDigits(b);
        if (an && bn) return CompareNumbers(a, b);
        if (an != bn) return an ? -1 : 1;
        return Math.Sign(string.Compare(a, b, identifierComparison));
    }

    /// <summary>Compares two runs of ASCII digits as unbounded integers (leading zeros ignored).</summary>
    private static int CompareNumbers(string a, string b)
    {
        var sa = a.AsSpan().TrimStart('0');
        var sb = b.AsSpan().TrimStart('0');
        if (sa.Length != sb.Length) return sa.Length < sb.Length ? -1 : 1;
        return Math.Sign(sa.SequenceCompareTo(sb));
    }

    internal static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
            if (c is < '0' or > '9') return false;
        return true;
    }
}
