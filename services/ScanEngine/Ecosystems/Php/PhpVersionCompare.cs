using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Php;

/// <summary>
/// PHP's <c>version_compare</c> (ext/standard/versioning.c): the version is canonicalised ("-", "_", "+" and
/// other non-alphanumerics become ".", and "." is inserted between digits and non-digits), then compared part
/// by part: numbers numerically, words by their special form (any other word &lt; dev &lt; alpha = a &lt;
/// beta = b &lt; RC = rc &lt; number &lt; pl = p, matched by prefix), a number against a word as "#".
/// </summary>
internal static class PhpVersionCompare
{
    private const string NumberForm = "#N#";

    public static int Compare(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return a.Length == 0 ? (b.Length == 0 ? 0 : -1) : 1;
        var p1 = (a[0] == '#' ? a : Canonicalize(a)).Split('.');
        var p2 = (b[0] == '#' ? b : Canonicalize(b)).Split('.');
        // Mirrors the C loop: n1/n2 say whether a further part follows; it stops where either string is used up.
        int k1 = 0, k2 = 0, compare = 0;
        bool n1 = true, n2 = true;
        while (!AtEnd(p1, k1) && !AtEnd(p2, k2) && n1 && n2)
        {
            n1 = k1 < p1.Length - 1;
            n2 = k2 < p2.Length - 1;
            compare = CompareParts(p1[k1], p2[k2]);
            if (compare != 0) return compare;
            if (n1) k1++;
            if (n2) k2++;
        }
        if (n1)
        {
            var rest = string.Join('.', p1[k1..]);
            return rest.Length > 0 && char.IsAsciiDigit(rest[0]) ? 1 : Compare(rest, NumberForm);
        }
        if (n2)
        {
            var rest = string.Join('.', p2[k2..]);
            return rest.Length > 0 && char.IsAsciiDigit(rest[0]) ? -1 : Compare(NumberForm, rest);
        }
        return 0;
    }

    private static bool AtEnd(string[] parts, int k) => k == parts.Length - 1 && parts[k].Length == 0;

    /// <summary>One part against another; an empty part (between two dots) is a word of no special form.</summary>
    private static int CompareParts(string x, string y)
    {
        var xDigit = x.Length > 0 && char.IsAsciiDigit(x[0]);
        var yDigit = y.Length > 0 && char.IsAsciiDigit(y[0]);
        if (xDigit && yDigit) return Math.Sign(StrToLong(x).CompareTo(StrToLong(y)));
        if (!xDigit && !yDigit) return SpecialForms(x, y);
        return xDigit ? SpecialForms(NumberForm, y) : SpecialForms(x, NumberForm);
    }

    private static long StrToLong(string digits)
    {
        var end = 0;
        while (end < digits.Length && char.IsAsciiDigit(digits[end])) end++;
        return long.TryParse(digits.AsSpan(0, end), out var value) ? value : long.MaxValue; // strtol saturates
    }

    private static readonly (string Name, int Order)[] Forms =
        [("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("RC", 3), ("rc", 3), ("#", 4), ("pl", 5), ("p", 5)];

    private static int SpecialForms(string x, string y) => Math.Sign(Order(x) - Order(y));

    private static int Order(string form)
    {
        foreach (var (name, order) in Forms)
            if (form.StartsWith(name, StringComparison.Ordinal)) return order;
        return -1;
    }

    internal static string Canonicalize(string version)
    {
        static bool IsDig(char c) => char.IsAsciiDigit(c);
        static bool IsNDig(char c) => !char.IsAsciiDigit(c) && c != '.';
        var q = new StringBuilder(version.Length * 2);
        var lp = version[0];
        q.Append(lp);
        for (var i = 1; i < version.Length; i++)
        {
            var c = version[i];
            if (c is '-' or '_' or '+')
            {
                if (q[^1] != '.') q.Append('.');
            }
            else if ((IsNDig(lp) && IsDig(c)) || (IsDig(lp) && IsNDig(c)))
            {
                if (q[^1] != '.') q.Append('.');
                q.Append(c);
            }
            else if (!char.IsAsciiLetterOrDigit(c))
            {
                if (q[^1] != '.') q.Append('.');
            }
            else q.Append(c);
            lp = c;
        }
        return q.ToString();
    }
}
