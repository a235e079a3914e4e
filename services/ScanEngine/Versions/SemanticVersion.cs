namespace ImageScanning.ScanEngine.Versions;

/// <summary>
/// A version split the way <see cref="SemVerComparer"/> orders it: release numbers (as digit strings, so
/// that no length overflows), prerelease identifiers, and build metadata (kept only to validate it).
/// </summary>
internal readonly record struct SemanticVersion(string[] Release, string[] Prerelease, string? Build)
{
    /// <summary>
    /// Parses leniently (node-semver loose mode plus missing release numbers as 0): blanks and leading "v",
    /// "V" or "=" are skipped; 1 to <paramref name="releaseParts"/> dot-separated numbers; then an optional
    /// prerelease ("-" optional) of non-empty [0-9A-Za-z-] identifiers; then an optional "+" build of the same.
    /// </summary>
    public static bool TryParse(string text, int releaseParts, out SemanticVersion version)
    {
        version = default;
        var s = text.AsSpan().Trim();
        var start = 0;
        while (start < s.Length && (s[start] is 'v' or 'V' or '=' || char.IsWhiteSpace(s[start]))) start++;
        s = s[start..];

        var release = new string[releaseParts];
        var parts = 0;
        var i = 0;
        while (true)
        {
            var digits = i;
            while (i < s.Length && s[i] is >= '0' and <= '9') i++;
            if (i == digits) return false; // a release number is required here
            release[parts++] = s[digits..i].ToString();
            if (parts == releaseParts || i >= s.Length || s[i] != '.') break;
            if (i + 1 >= s.Length || s[i + 1] is < '0' or > '9') break; // "1.2.beta" fails below
            i++;
        }
        for (var p = parts; p < releaseParts; p++) release[p] = "0";

        var rest = s[i..];
        var plus = rest.IndexOf('+');
        var pre = plus >= 0 ? rest[..plus] : rest;
        string? build = null;
        if (plus >= 0)
        {
            var buildText = rest[(plus + 1)..];
            if (!ValidIdentifiers(buildText)) return false;
            build = buildText.ToString();
        }

        string[] prerelease = [];
        if (pre.Length > 0)
        {
            if (pre[0] == '-') pre = pre[1..];
            else if (pre[0] == '.') return false; // a fifth number, or "1.2.beta"
            if (!ValidIdentifiers(pre)) return false;
            prerelease = pre.ToString().Split('.');
        }
        version = new SemanticVersion(release, prerelease, build);
        return true;
    }

    /// <summary>Dot-separated, each identifier non-empty and made of [0-9A-Za-z-].</summary>
    private static bool ValidIdentifiers(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        var length = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (length == 0) return false;
                length = 0;
                continue;
            }
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '-')) return false;
            length++;
        }
        return length > 0;
    }
}
