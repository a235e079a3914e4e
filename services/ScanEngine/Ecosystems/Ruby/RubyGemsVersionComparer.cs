using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ruby;

/// <summary>
/// RubyGems version ordering, as <c>Gem::Version#&lt;=&gt;</c>: a "-" becomes ".pre.", the version splits into
/// runs of digits (numbers) and runs of letters (strings); trailing zeros are dropped from the numeric part
/// and from the part from the first string on; then segment by segment (a missing segment is 0) a string
/// sorts before any number (so "1.0.a" &lt; "1.0"), numbers compare numerically and strings byte-wise.
/// <para>
/// Lenient fallback: a string Gem::Version rejects as malformed (Gem::Version.new raises) is compared the same
/// way on whatever digit and letter runs it has, which is deterministic and never throws; a blank version is
/// "0", as RubyGems reads it; null sorts first.
/// </para>
/// </summary>
public sealed class RubyGemsVersionComparer : IVersionComparer
{
    public static readonly RubyGemsVersionComparer Instance = new();

    public string Scheme => "rubygems";

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = CanonicalSegments(x);
        var b = CanonicalSegments(y);
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            var left = i < a.Count ? a[i] : Segment.Zero;
            var right = i < b.Count ? b[i] : Segment.Zero;
            var c = left.CompareTo(right);
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>Whether Gem::Version accepts the string (Gem::Version.correct?).</summary>
    public static bool IsValid(string version)
    {
        var s = version.Trim(' ', '\t', '\n', '\v', '\f', '\r', '\0');
        if (s.Length == 0) return true;
        var i = 0;
        if (!char.IsAsciiDigit(s[0])) return false;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        while (i < s.Length && s[i] == '.') // (\.[0-9a-zA-Z]+)*
        {
            var start = ++i;
            while (i < s.Length && char.IsAsciiLetterOrDigit(s[i])) i++;
            if (i == start) return false;
        }
        if (i == s.Length) return true;
        if (s[i] != '-') return false; // (-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
        i++;
        while (true)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '-')) i++;
            if (i == start) return false;
            if (i == s.Length) return true;
            if (s[i] != '.') return false;
            i++;
        }
    }

    private readonly record struct Segment(string? Number, string? Text) : IComparable<Segment>
    {
        public static readonly Segment Zero = new("0", null);

        public int CompareTo(Segment other)
        {
            if (Number is not null && other.Number is not null)
                return Number.Length != other.Number.Length
                    ? Number.Length.CompareTo(other.Number.Length)
                    : Math.Sign(string.CompareOrdinal(Number, other.Number));
            if (Number is null && other.Number is null) return Math.Sign(string.CompareOrdinal(Text, other.Text));
            return Number is null ? -1 : 1; // a string sorts before a number
        }
    }

    /// <summary>Gem::Version#canonical_segments; numbers as digit strings without leading zeros.</summary>
    private static List<Segment> CanonicalSegments(string version)
    {
        var s = version.Trim().Replace("-", ".pre.", StringComparison.Ordinal);
        var segments = new List<Segment>();
        for (var i = 0; i < s.Length;)
        {
            var start = i;
            if (char.IsAsciiDigit(s[i]))
            {
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                var digits = s[start..i].TrimStart('0');
                segments.Add(new Segment(digits.Length == 0 ? "0" : digits, null));
            }
            else if (char.IsAsciiLetter(s[i]))
            {
                while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
                segments.Add(new Segment(null, s[start..i]));
            }
            else i++;
        }
        var firstText = segments.FindIndex(seg => seg.Number is null);
        if (firstText < 0) firstText = segments.Count;
        // Drop trailing zeros of the string part, then of the numeric part.
        var end = segments.Count;
        while (end > firstText && segments[end - 1].Number == "0") end--;
        segments.RemoveRange(end, segments.Count - end);
        var numericEnd = firstText;
        while (numericEnd > 0 && segments[numericEnd - 1].Number == "0") numericEnd--;
        segments.RemoveRange(numericEnd, firstText - numericEnd);
        return segments;
    }
}
