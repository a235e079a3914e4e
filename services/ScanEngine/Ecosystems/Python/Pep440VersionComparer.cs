using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Python;

/// <summary>
/// PEP 440 version ordering, as Python's <c>packaging.version.Version</c> orders versions: epoch, release
/// (trailing zeros ignored), pre-release (a &lt; b &lt; rc, with the spellings alpha, beta, c, pre, preview),
/// post-release (post, rev, r, or "-N"), dev-release and local version label, after PEP 440's normalisation
/// (case, separators, leading "v", implicit numbers, surrounding blanks).
/// <para>
/// Lenient fallback: a string PEP 440 rejects (packaging 22+ raises InvalidVersion) sorts before every valid
/// version, and invalid strings order among themselves ordinally, as packaging's former LegacyVersion
/// placed them before all valid versions. Compare never throws; null sorts first.
/// </para>
/// </summary>
public sealed partial class Pep440VersionComparer : IVersionComparer
{
    public static readonly Pep440VersionComparer Instance = new();

    public string Scheme => "pep440";

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = Pep440Version.TryParse(x);
        var b = Pep440Version.TryParse(y);
        if (a is null) return b is null ? Math.Sign(string.CompareOrdinal(x, y)) : -1;
        if (b is null) return 1;
        return a.CompareTo(b);
    }

    /// <summary>Whether PEP 440 accepts the version (packaging would not raise InvalidVersion).</summary>
    public static bool IsValid(string version) => Pep440Version.TryParse(version) is not null;

    // PEP 440's canonical pattern (its appendix), case-insensitive, blanks around allowed.
    [GeneratedRegex("""
        ^\s*v?
        (?:(?<epoch>[0-9]+)!)?
        (?<release>[0-9]+(?:\.[0-9]+)*)
        (?<pre>[-_.]?(?<prel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pren>[0-9]+)?)?
        (?<post>(?:-(?<postn1>[0-9]+))|(?:[-_.]?(?<postl>post|rev|r)[-_.]?(?<postn2>[0-9]+)?))?
        (?<dev>[-_.]?dev[-_.]?(?<devn>[0-9]+)?)?
        (?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        \s*$
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    internal static partial Regex Pattern();
}

/// <summary>A parsed PEP 440 version; numbers kept as digit strings without leading zeros (any size).</summary>
internal sealed class Pep440Version : IComparable<Pep440Version>
{
    private const int NoPre = 3;       // a release without pre-release sorts after rc
    private const int DevOnly = -1;    // "1.0.dev1" (no pre, no post) sorts before "1.0a1"

    private string Epoch { get; init; } = "0";
    private string[] Release { get; init; } = [];
    private int PreKind { get; init; }          // -1 dev-only, 0 a, 1 b, 2 rc, 3 none
    private string PreNumber { get; init; } = "0";
    private string? Post { get; init; }
    private string? Dev { get; init; }
    private string[]? Local { get; init; }

    public static Pep440Version? TryParse(string text)
    {
        if (text.Length > 512) return null; // no real version is this long; keeps the regex cheap
        var m = Pep440VersionComparer.Pattern().Match(text);
        if (!m.Success) return null;
        var release = m.Groups["release"].Value.Split('.').Select(Number).ToList();
        while (release.Count > 1 && release[^1] == "0") release.RemoveAt(release.Count - 1);
        var hasPre = m.Groups["pre"].Success;
        var hasPost = m.Groups["post"].Success;
        var hasDev = m.Groups["dev"].Success;
        var preKind = NoPre;
        if (hasPre)
            preKind = m.Groups["prel"].Value.ToLowerInvariant() switch { "a" or "alpha" => 0, "b" or "beta" => 1, _ => 2 };
        else if (!hasPost && hasDev)
            preKind = DevOnly;
        return new Pep440Version
        {
            Epoch = m.Groups["epoch"].Success ? Number(m.Groups["epoch"].Value) : "0",
            Release = [.. release],
            PreKind = preKind,
            PreNumber = hasPre ? NumberOrZero(m.Groups["pren"]) : "0",
            Post = hasPost ? (m.Groups["postn1"].Success ? Number(m.Groups["postn1"].Value) : NumberOrZero(m.Groups["postn2"])) : null,
            Dev = hasDev ? NumberOrZero(m.Groups["devn"]) : null,
            Local = m.Groups["local"].Success
                ? m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
                    .Select(p => p.All(char.IsAsciiDigit) ? Number(p) : p).ToArray()
                : null,
        };
    }

    private static string NumberOrZero(Group g) => g.Success ? Number(g.Value) : "0";

    private static string Number(string digits)
    {
        var trimmed = digits.TrimStart('0');
        return trimmed.Length == 0 ? "0" : trimmed;
    }

    /// <summary>Numeric order of digit strings without leading zeros.</summary>
    private static int CompareNumbers(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : Math.Sign(string.CompareOrdinal(a, b));

    public int CompareTo(Pep440Version? other)
    {
        if (other is null) return 1;
        var c = CompareNumbers(Epoch, other.Epoch);
        if (c != 0) return c;
        for (var i = 0; i < Math.Max(Release.Length, other.Release.Length); i++)
        {
            c = CompareNumbers(i < Release.Length ? Release[i] : "0", i < other.Release.Length ? other.Release[i] : "0");
            if (c != 0) return c;
        }
        c = PreKind.CompareTo(other.PreKind);
        if (c != 0) return c;
        if (PreKind is >= 0 and < NoPre && (c = CompareNumbers(PreNumber, other.PreNumber)) != 0) return c;
        // No post-release sorts before any post-release; no dev-release sorts after any dev-release.
        c = CompareOptional(Post, other.Post, missingFirst: true);
        if (c != 0) return c;
        c = CompareOptional(Dev, other.Dev, missingFirst: false);
        if (c != 0) return c;
        return CompareLocal(Local, other.Local);
    }

    private static int CompareOptional(string? a, string? b, bool missingFirst)
    {
        if (a is null) return b is null ? 0 : missingFirst ? -1 : 1;
        if (b is null) return missingFirst ? 1 : -1;
        return CompareNumbers(a, b);
    }

    /// <summary>No local label first; then segment by segment: numbers above strings, strings ordinal, shorter first.</summary>
    private static int CompareLocal(string[]? a, string[]? b)
    {
        if (a is null) return b is null ? 0 : -1;
        if (b is null) return 1;
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var aNumeric = a[i].All(char.IsAsciiDigit);
            var bNumeric = b[i].All(char.IsAsciiDigit);
            var c = aNumeric && bNumeric ? CompareNumbers(a[i], b[i])
                : aNumeric ? 1
                : bNumeric ? -1
                : Math.Sign(string.CompareOrdinal(a[i], b[i]));
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }
}
