using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Java;

/// <summary>
/// The two metadata formats found in Java archives: Maven's <c>pom.properties</c> (java.util.Properties
/// syntax) and the jar <c>META-INF/MANIFEST.MF</c> main section. Both parsers are lenient: a malformed line
/// is ignored, never an error.
/// </summary>
public static class JavaMetadata
{
    /// <summary>
    /// java.util.Properties: '#'/'!' comments, "key=value", "key: value" or "key value", a trailing backslash
    /// continues the line, backslash escapes (\t \n \uXXXX, anything else is itself). A repeated key keeps its
    /// last value, as Properties.load does.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseProperties(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var logical in LogicalPropertyLines(text))
        {
            var line = logical.TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!') continue;
            var keyEnd = 0;
            while (keyEnd < line.Length && line[keyEnd] is not ('=' or ':' or ' ' or '\t' or '\f'))
                keyEnd += line[keyEnd] == '\\' ? 2 : 1;
            keyEnd = Math.Min(keyEnd, line.Length);
            var valueStart = keyEnd;
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f') valueStart++;
            if (valueStart < line.Length && line[valueStart] is '=' or ':') valueStart++;
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f') valueStart++;
            result[Unescape(line[..keyEnd])] = Unescape(line[valueStart..]);
        }
        return result;
    }

    /// <summary>Joins continued lines (an odd number of trailing backslashes), dropping the next line's indent.</summary>
    private static IEnumerable<string> LogicalPropertyLines(string text)
    {
        var current = new StringBuilder();
        var continuing = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (continuing) line = line.TrimStart(' ', '\t', '\f');
            var backslashes = 0;
            while (backslashes < line.Length && line[line.Length - 1 - backslashes] == '\\') backslashes++;
            continuing = backslashes % 2 == 1;
            current.Append(continuing ? line[..^1] : line);
            if (continuing) continue;
            yield return current.ToString();
            current.Clear();
        }
        if (current.Length > 0) yield return current.ToString();
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\')) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length) { sb.Append(c); continue; }
            var next = text[++i];
            switch (next)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 < text.Length
                    && ushort.TryParse(text.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(next); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The main section of a jar manifest: "Name: value" lines up to the first blank line; a line starting with
    /// one space continues the previous value (the jar spec wraps at 72 bytes). Attribute names are case-insensitive.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseManifestMainSection(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? lastName = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) break; // end of the main section
            if (line[0] == ' ')
            {
                if (lastName is not null) result[lastName] += line[1..];
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) { lastName = null; continue; }
            lastName = line[..colon].Trim();
            result[lastName] = line[(colon + 1)..].TrimStart(' ');
        }
        foreach (var key in result.Keys.ToList()) result[key] = result[key].Trim();
        return result;
    }
}
