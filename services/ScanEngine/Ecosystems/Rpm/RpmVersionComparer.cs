using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// rpm's version ordering for "[epoch:]version[-release]" strings, as rpm's <c>labelCompare</c> does it:
/// epochs (absent = "0"), then versions, then releases (absent sorts before any release, even an empty
/// one) — each part with <see cref="CompareSegments"/> (rpm's <c>rpmvercmp</c>).
/// <para>
/// The string is split as rpm splits an EVR: an epoch only when the string starts with digits followed by
/// ':' (":1.0" has epoch "0"), the release after the last '-'. Lenient: null sorts first, a NUL ends the
/// string as in C, anything else compares as rpm would and nothing throws.
/// </para>
/// </summary>
public sealed class RpmVersionComparer : IVersionComparer
{
    public static RpmVersionComparer Instance { get; } = new();

    private RpmVersionComparer() { }

    public string Scheme => "rpm";

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = Split(CString(x));
        var b = Split(CString(y));
        var c = CompareSegments(a.Epoch.IsEmpty ? "0" : a.Epoch, b.Epoch.IsEmpty ? "0" : b.Epoch);
        if (c != 0) return c;
        c = CompareSegments(a.Version, b.Version);
        if (c != 0) return c;
        if (a.HasRelease != b.HasRelease) return a.HasRelease ? 1 : -1;
        return a.HasRelease ? CompareSegments(a.Release, b.Release) : 0;
    }

    private static ReadOnlySpan<char> CString(string s)
    {
        var nul = s.IndexOf('\0');
        return nul < 0 ? s : s.AsSpan(0, nul);
    }

    private readonly ref struct Evr(ReadOnlySpan<char> epoch, ReadOnlySpan<char> version, ReadOnlySpan<char> release, bool hasRelease)
    {
        public readonly ReadOnlySpan<char> Epoch = epoch;
        public readonly ReadOnlySpan<char> Version = version;
        public readonly ReadOnlySpan<char> Release = release;
        public readonly bool HasRelease = hasRelease;
    }

    private static Evr Split(ReadOnlySpan<char> s)
    {
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
        ReadOnlySpan<char> epoch = default;
        var rest = s;
        if (digits < s.Length && s[digits] == ':')
        {
            epoch = s[..digits];
            rest = s[(digits + 1)..];
        }
        var hyphen = rest.LastIndexOf('-');
        return hyphen < 0 ? new Evr(epoch, rest, default, false) : new Evr(epoch, rest[..hyphen], rest[(hyphen + 1)..], true);
    }

    /// <summary>
    /// rpm's <c>rpmvercmp</c> on one part: alternating runs of ASCII digits and ASCII letters, anything else
    /// separating them. Digit runs compare numerically (leading zeros ignored) and are newer than letter
    /// runs; letter runs compare as bytes. '~' sorts before everything, even the end; '^' sorts after the
    /// end but before anything else.
    /// </summary>
    public static int CompareSegments(ReadOnlySpan<char> one, ReadOnlySpan<char> two)
    {
        if (one.SequenceEqual(two)) return 0;
        int i = 0, j = 0;
        while (i < one.Length || j < two.Length)
        {
            while (i < one.Length && IsSeparator(one[i])) i++;
            while (j < two.Length && IsSeparator(two[j])) j++;

            var a = i < one.Length ? one[i] : '\0';
            var b = j < two.Length ? two[j] : '\0';
            if (a == '~' || b == '~')
            {
                if (a != '~') return 1;
                if (b != '~') return -1;
                i++; j++;
                continue;
            }
            if (a == '^' || b == '^')
            {
                if (i >= one.Length) return -1;
                if (j >= two.Length) return 1;
                if (a != '^') return 1;
                if (b != '^') return -1;
                i++; j++;
                continue;
            }
            if (i >= one.Length || j >= two.Length) break;

            var numeric = char.IsAsciiDigit(a);
            var startA = i;
            var startB = j;
            if (numeric)
            {
                while (i < one.Length && char.IsAsciiDigit(one[i])) i++;
                while (j < two.Length && char.IsAsciiDigit(two[j])) j++;
            }
            else
            {
                while (i < one.Length && char.IsAsciiLetter(one[i])) i++;
                while (j < two.Length && char.IsAsciiLetter(two[j])) j++;
            }
            var segA = one[startA..i];
            var segB = two[startB..j];
            // Segments of different kinds: the numeric one is newer.
            if (segB.IsEmpty) return numeric ? 1 : -1;
            if (numeric)
            {
                segA = segA.TrimStart('0');
                segB = segB.TrimStart('0');
                if (segA.Length != segB.Length) return segA.Length > segB.Length ? 1 : -1;
            }
            var c = segA.SequenceCompareTo(segB);
            if (c != 0) return c < 0 ? -1 : 1;
        }
        var restA = i < one.Length;
        var restB = j < two.Length;
        if (!restA && !restB) return 0;
        return restA ? 1 : -1;
    }

    private static bool IsSeparator(char c) => !char.IsAsciiLetterOrDigit(c) && c != '~' && c != '^';
}
