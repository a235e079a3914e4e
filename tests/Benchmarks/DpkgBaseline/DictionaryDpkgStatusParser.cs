using System.Text;

using ImageScanning.ScanEngine.Ecosystems.Debian;

namespace ImageScanning.Benchmarks.DpkgBaseline;

/// <summary>
/// BASELINE, not used by the engine: DpkgStatusParser before commit 3247b12 (the whole file as one string, a dictionary of every
/// field of every paragraph), the parser of the 1.5 GiB, kept so the memory benchmark measures it in the same run.
/// Reads dpkg's <c>var/lib/dpkg/status</c> and distroless <c>var/lib/dpkg/status.d/*</c> files: deb822
/// paragraphs separated by blank lines, "Field: value" lines, continuation lines starting with a space or
/// a tab. Only installed packages are kept: when a paragraph has a Status ("want flag state"), its third
/// word must be "installed"; status.d entries usually have no Status and count as installed. Paragraphs
/// without Package or Version are skipped. Never throws on malformed content.
/// </summary>
public static class DictionaryDpkgStatusParser
{
    public static IReadOnlyList<DpkgEntry> Parse(byte[] content) => Parse(Encoding.UTF8.GetString(content));

    public static IReadOnlyList<DpkgEntry> Parse(string text)
    {
        var entries = new List<DpkgEntry>();
        foreach (var paragraph in Paragraphs(text))
            if (ToEntry(paragraph) is { } entry) entries.Add(entry);
        return entries;
    }

    /// <summary>
    /// The paragraphs of a deb822 text as field maps (case-insensitive names, first occurrence wins);
    /// a multi-line value keeps its continuation lines, joined with '\n' and without their leading blank.
    /// </summary>
    public static IEnumerable<IReadOnlyDictionary<string, string>> Paragraphs(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? currentField = null;
        var value = new StringBuilder();

        void Flush()
        {
            if (currentField is not null) fields[currentField] = value.ToString();
            currentField = null;
            value.Clear();
        }

        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                Flush();
                if (fields.Count > 0) yield return fields;
                fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                continue;
            }
            if (line[0] is ' ' or '\t')
            {
                // Continuation of a multi-line field (Description, Conffiles, ...).
                if (currentField is not null) value.Append('\n').Append(line, 1, line.Length - 1);
                continue;
            }
            Flush();
            if (line[0] == '#') continue; // deb822 allows comments; dpkg never writes them
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            if (name.Length == 0 || fields.ContainsKey(name)) continue;
            currentField = name;
            value.Append(line.AsSpan(colon + 1).Trim());
        }
        Flush();
        if (fields.Count > 0) yield return fields;
    }

    /// <summary>Whether a Status value ("install ok installed") says the package is installed.</summary>
    public static bool IsInstalled(string status)
    {
        var words = status.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 3 && words[2] == "installed";
    }

    private static DpkgEntry? ToEntry(IReadOnlyDictionary<string, string> fields)
    {
        var name = FirstLine(fields, "Package");
        var version = FirstLine(fields, "Version");
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version)) return null;
        if (fields.TryGetValue("Status", out var status) && !IsInstalled(FirstLineOf(status))) return null;

        var sourceName = name;
        var sourceVersion = version;
        var source = FirstLine(fields, "Source");
        if (!string.IsNullOrEmpty(source))
        {
            var open = source.IndexOf('(');
            if (open < 0)
            {
                sourceName = source.Split([' ', '\t'], 2)[0];
            }
            else
            {
                var close = source.IndexOf(')', open + 1);
                var inner = (close < 0 ? source[(open + 1)..] : source[(open + 1)..close]).Trim();
                var outer = source[..open].Trim();
                if (outer.Length > 0) sourceName = outer;
                if (inner.Length > 0) sourceVersion = inner;
            }
        }
        var architecture = FirstLine(fields, "Architecture");
        return new DpkgEntry(name, version, sourceName, sourceVersion, string.IsNullOrEmpty(architecture) ? null : architecture);
    }

    private static string? FirstLine(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) ? FirstLineOf(value) : null;

    private static string FirstLineOf(string value)
    {
        var newline = value.IndexOf('\n');
        return (newline < 0 ? value : value[..newline]).Trim();
    }
}
