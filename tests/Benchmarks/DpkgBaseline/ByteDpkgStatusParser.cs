using System.Text;

using ImageScanning.ScanEngine.Ecosystems.Debian;

namespace ImageScanning.Benchmarks.DpkgBaseline;

/// <summary>
/// BASELINE, not used by the engine: DpkgStatusParser as of commit aa62677 (bytes, five wanted fields, shared values), kept so the
/// memory benchmark measures it against the current parser in the same run.
/// Reads dpkg's <c>var/lib/dpkg/status</c> and distroless <c>var/lib/dpkg/status.d/*</c> files: deb822
/// paragraphs separated by blank lines, "Field: value" lines, continuation lines starting with a space or
/// a tab. Only installed packages are kept: when a paragraph has a Status ("want flag state"), its third
/// word must be "installed"; status.d entries usually have no Status and count as installed. Paragraphs
/// without Package or Version are skipped. Never throws on malformed content.
/// </summary>
public static class ByteDpkgStatusParser
{
    /// <summary>
    /// The installed packages of a status file, read from its bytes: no string of the whole file, no list of its lines, no map of
    /// every field. Only the first line of Package, Version, Status, Source and Architecture is decoded, and values that repeat
    /// (versions, source packages, architectures) are shared, so memory follows the entries kept, not the size of the file.
    /// </summary>
    public static IReadOnlyList<DpkgEntry> Parse(byte[] content) => Parse(content.AsSpan());

    public static IReadOnlyList<DpkgEntry> Parse(ReadOnlySpan<byte> content)
    {
        var entries = new List<DpkgEntry>();
        var pool = new StringPool();
        var paragraph = new WantedFields();
        while (content.Length > 0)
        {
            var newline = content.IndexOf((byte)'\n');
            var line = newline < 0 ? content : content[..newline];
            content = newline < 0 ? [] : content[(newline + 1)..];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];

            if (IsBlank(line))
            {
                if (ToEntry(paragraph, pool) is { } entry) entries.Add(entry);
                paragraph = new WantedFields();
                continue;
            }
            if (line[0] is (byte)' ' or (byte)'\t') continue; // a continuation line: no wanted field needs more than its first line
            if (line[0] == (byte)'#') continue;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim(" \t\v\f"u8);
            if (name.Length == 0) continue;
            var value = line[(colon + 1)..];
            if (Is(name, "Package"u8)) paragraph.Package ??= pool.Decode(value, intern: false);
            else if (Is(name, "Version"u8)) paragraph.Version ??= pool.Decode(value, intern: true);
            else if (Is(name, "Status"u8)) paragraph.Status ??= pool.Decode(value, intern: true);
            else if (Is(name, "Source"u8)) paragraph.Source ??= pool.Decode(value, intern: true);
            else if (Is(name, "Architecture"u8)) paragraph.Architecture ??= pool.Decode(value, intern: true);
        }
        if (ToEntry(paragraph, pool) is { } last) entries.Add(last);
        return entries;
    }

    /// <summary>The fields of one paragraph that make an entry: each the first line of its first occurrence.</summary>
    private struct WantedFields
    {
        public string? Package, Version, Status, Source, Architecture;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> field) => Ascii.EqualsIgnoreCase(name, field);

    /// <summary>Blank as string.IsNullOrWhiteSpace sees it: ASCII blanks, or (rarely) Unicode ones.</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        var other = line.IndexOfAnyExcept(" \t\v\f\r"u8);
        if (other < 0) return true;
        return line[other] >= 0x80 && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(line));
    }

    /// <summary>Decodes field values, sharing one string per distinct value within a file.</summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private char[] _buffer = new char[256];

        public string Decode(ReadOnlySpan<byte> value, bool intern)
        {
            var needed = Encoding.UTF8.GetMaxCharCount(value.Length);
            if (needed > _buffer.Length) _buffer = new char[Math.Max(needed, _buffer.Length * 2)];
            var chars = _buffer.AsSpan(0, Encoding.UTF8.GetChars(value, _buffer)).Trim();
            if (!intern) return new string(chars);
            var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(chars, out var shared)) return shared;
            var text = new string(chars);
            _strings[text] = text;
            return text;
        }

        public string Intern(string text)
        {
            if (_strings.TryGetValue(text, out var shared)) return shared;
            _strings[text] = text;
            return text;
        }
    }

    /// <summary>Parses deb822 text (status.d files in tests, other callers); the same rules as <see cref="Parse(byte[])"/>.</summary>
    public static IReadOnlyList<DpkgEntry> Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

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

    private static DpkgEntry? ToEntry(WantedFields fields, StringPool pool)
    {
        var name = fields.Package;
        var version = fields.Version;
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version)) return null;
        if (fields.Status is { } status && !IsInstalled(status)) return null;

        var sourceName = name;
        var sourceVersion = version;
        var source = fields.Source;
        if (!string.IsNullOrEmpty(source))
        {
            var open = source.IndexOf('(');
            if (open < 0)
            {
                sourceName = pool.Intern(source.Split([' ', '\t'], 2)[0]);
            }
            else
            {
                var close = source.IndexOf(')', open + 1);
                var inner = (close < 0 ? source[(open + 1)..] : source[(open + 1)..close]).Trim();
                var outer = source[..open].Trim();
                if (outer.Length > 0) sourceName = pool.Intern(outer);
                if (inner.Length > 0) sourceVersion = pool.Intern(inner);
            }
        }
        var architecture = fields.Architecture;
        return new DpkgEntry(name, version, sourceName, sourceVersion, string.IsNullOrEmpty(architecture) ? null : architecture);
    }
}
