using System.Text;

namespace ImageScanning.ScanEngine.Distributions;

/// <summary>
/// Parser for os-release(5) files: newline-separated <c>KEY=value</c> assignments in a shell-compatible
/// subset. Values may be unquoted, "double quoted" (backslash escapes <c>\" \\ \$ \`</c>) or 'single quoted'
/// (no escapes); outside quotes a backslash escapes the next character. Lines starting with '#' (after
/// optional whitespace) are comments; blank and malformed lines are skipped. Never throws on bad input.
/// </summary>
public static class OsRelease
{
    public static IReadOnlyDictionary<string, string> Parse(byte[] content) =>
        Parse(Encoding.UTF8.GetString(content));

    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r').TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#') continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].TrimEnd(' ', '\t');
            if (!IsValidKey(key)) continue;
            var value = ParseValue(line.AsSpan(eq + 1));
            if (value is not null) fields[key] = value; // the last assignment wins, as in a shell
        }
        return fields;
    }

    private static bool IsValidKey(string key)
    {
        if (key.Length == 0 || char.IsAsciiDigit(key[0])) return false;
        foreach (var c in key)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    /// <summary>A shell-like word: quoted and unquoted parts concatenated; null when a quote is unterminated.</summary>
    private static string? ParseValue(ReadOnlySpan<char> s)
    {
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
        var lastSignificant = 0; // length of sb up to the last character that was quoted or non-blank
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"')
            {
                var end = i + 1;
                for (; end < s.Length && s[end] != '"'; end++)
                {
                    if (s[end] == '\\' && end + 1 < s.Length && s[end + 1] is '"' or '\\' or '$' or '`')
                        end++;
                    sb.Append(s[end]);
                }
                if (end >= s.Length) return null;
                i = end + 1;
                lastSignificant = sb.Length;
            }
            else if (c == '\'')
            {
                var end = s[(i + 1)..].IndexOf('\'');
                if (end < 0) return null;
                sb.Append(s.Slice(i + 1, end));
                i += end + 2;
                lastSignificant = sb.Length;
            }
            else if (c == '\\')
            {
                if (i + 1 < s.Length) sb.Append(s[i + 1]);
                i += 2;
                lastSignificant = sb.Length;
            }
            else
            {
                sb.Append(c);
                i++;
                if (c != ' ' && c != '\t') lastSignificant = sb.Length;
            }
        }
        sb.Length = lastSignificant;
        return sb.ToString();
    }
}
