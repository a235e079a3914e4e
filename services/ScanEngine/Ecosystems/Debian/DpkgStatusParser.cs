using System.Text;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Debian;

/// <summary>One installed binary package from a dpkg database.</summary>
/// <param name="SourceName">The "Source:" package, or <paramref name="Name"/> when the field is absent.</param>
/// <param name="SourceVersion">The version in "Source: name (version)", else <paramref name="Version"/>.</param>
public sealed record DpkgEntry(string Name, string Version, string SourceName, string SourceVersion, string? Architecture);

/// <summary>
/// Reads dpkg's <c>var/lib/dpkg/status</c> and distroless <c>var/lib/dpkg/status.d/*</c> files: deb822
/// paragraphs separated by blank lines, "Field: value" lines, continuation lines starting with a space or
/// a tab. Only installed packages are kept: when a paragraph has a Status ("want flag state"), its third
/// word must be "installed"; status.d entries usually have no Status and count as installed. Paragraphs
/// without Package or Version are skipped. Never throws on malformed content.
/// </summary>
public static class DpkgStatusParser
{
    /// <summary>
    /// The installed packages of a status file, read from its bytes in one pass: no string of the whole file, no list of its
    /// lines, no map of every field. A paragraph's five wanted fields are remembered as byte ranges of their first line, and
    /// decoded only when the paragraph ends and only for an installed package: the Status is checked in a reused buffer, the
    /// package name is the one new string per entry, and the version, source package, source version and architecture are
    /// one shared string per distinct value in the file. So what is allocated is what the entries keep.
    /// </summary>
    public static IReadOnlyList<DpkgEntry> Parse(byte[] content) => Parse(content.AsSpan());

    public static IReadOnlyList<DpkgEntry> Parse(ReadOnlySpan<byte> content) =>
        Parse(content, static (name, version, sourceName, sourceVersion, architecture) => new DpkgEntry(name, version, sourceName, sourceVersion, architecture));

    /// <summary>
    /// <see cref="Parse(byte[])"/>, made straight into the packages a finder reports (type "deb", read from
    /// <paramref name="filePath"/> in <paramref name="layerDigest"/>): no entry object per package on the way.
    /// </summary>
    public static List<Package> ParsePackages(ReadOnlySpan<byte> content, string filePath, string layerDigest) =>
        Parse(content, (name, version, sourceName, sourceVersion, architecture) => new Package
        {
            Name = name,
            Version = version,
            Type = "deb",
            SourceName = sourceName,
            SourceVersion = sourceVersion,
            Architecture = architecture,
            FilePath = filePath,
            LayerDigest = layerDigest,
        });

    /// <summary>(name, version, source name, source version, architecture) of one installed package.</summary>
    private delegate T EntryFactory<out T>(string name, string version, string sourceName, string sourceVersion, string? architecture);

    private static List<T> Parse<T>(ReadOnlySpan<byte> content, EntryFactory<T> create) where T : class
    {
        var entries = new List<T>();
        var pool = new StringPool();
        var paragraph = new WantedFields();
        var offset = 0;
        while (offset < content.Length)
        {
            var lineStart = offset;
            var newline = content[offset..].IndexOf((byte)'\n');
            var line = newline < 0 ? content[offset..] : content.Slice(offset, newline);
            offset = newline < 0 ? content.Length : offset + newline + 1;
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];

            if (IsBlank(line))
            {
                if (ToEntry(content, paragraph, pool, create) is { } entry) entries.Add(entry);
                paragraph = new WantedFields();
                continue;
            }
            if (line[0] is (byte)' ' or (byte)'\t') continue; // a continuation line: no wanted field needs more than its first line
            if (line[0] == (byte)'#') continue;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim(" \t\v\f"u8);
            if (name.Length == 0) continue;
            var value = new Range(lineStart + colon + 1, lineStart + line.Length);
            if (Is(name, "Package"u8)) paragraph.Package ??= value;
            else if (Is(name, "Version"u8)) paragraph.Version ??= value;
            else if (Is(name, "Status"u8)) paragraph.Status ??= value;
            else if (Is(name, "Source"u8)) paragraph.Source ??= value;
            else if (Is(name, "Architecture"u8)) paragraph.Architecture ??= value;
        }
        if (ToEntry(content, paragraph, pool, create) is { } last) entries.Add(last);
        return entries;
    }

    /// <summary>Where the wanted fields of one paragraph are: each the first line of its first occurrence, after the colon.</summary>
    private struct WantedFields
    {
        public Range? Package, Version, Status, Source, Architecture;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> field) => Ascii.EqualsIgnoreCase(name, field);

    /// <summary>Blank as string.IsNullOrWhiteSpace sees it: ASCII blanks, or (rarely) Unicode ones.</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        var other = line.IndexOfAnyExcept(" \t\v\f\r"u8);
        if (other < 0) return true;
        return line[other] >= 0x80 && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(line));
    }

    /// <summary>
    /// Decodes field values into one reused buffer (trimmed as string.Trim does) and makes strings of them: one shared
    /// string per distinct value within a file, or a new one for values that do not repeat (package names).
    /// </summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private char[] _buffer = new char[256];

        /// <summary>The trimmed text of a value; valid until the next call.</summary>
        public ReadOnlySpan<char> Decode(ReadOnlySpan<byte> value)
        {
            var needed = Encoding.UTF8.GetMaxCharCount(value.Length);
            if (needed > _buffer.Length) _buffer = new char[Math.Max(needed, _buffer.Length * 2)];
            return _buffer.AsSpan(0, Encoding.UTF8.GetChars(value, _buffer)).Trim();
        }

        public string Intern(ReadOnlySpan<char> text)
        {
            var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text, out var shared)) return shared;
            var value = new string(text);
            _strings[value] = value;
            return value;
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
    public static bool IsInstalled(string status) => IsInstalled(status.AsSpan());

    /// <summary>Whether the third word (words split at spaces and tabs) is "installed".</summary>
    private static bool IsInstalled(ReadOnlySpan<char> status)
    {
        for (var word = 0; ; word++)
        {
            var start = status.IndexOfAnyExcept(' ', '\t');
            if (start < 0) return false;
            status = status[start..];
            var end = status.IndexOfAny(' ', '\t');
            var current = end < 0 ? status : status[..end];
            if (word == 2) return current.SequenceEqual("installed");
            if (end < 0) return false;
            status = status[end..];
        }
    }

    private static T? ToEntry<T>(ReadOnlySpan<byte> content, WantedFields fields, StringPool pool, EntryFactory<T> create) where T : class
    {
        if (fields.Package is not { } packageRange || fields.Version is not { } versionRange) return null;
        if (fields.Status is { } status && !IsInstalled(pool.Decode(content[status]))) return null;
        var versionText = pool.Decode(content[versionRange]);
        if (versionText.IsEmpty) return null;
        var version = pool.Intern(versionText);
        var nameText = pool.Decode(content[packageRange]);
        if (nameText.IsEmpty) return null;
        var name = new string(nameText);

        var sourceName = name;
        var sourceVersion = version;
        var source = fields.Source is { } sourceRange ? pool.Decode(content[sourceRange]) : [];
        if (!source.IsEmpty)
        {
            var open = source.IndexOf('(');
            if (open < 0)
            {
                var blank = source.IndexOfAny(' ', '\t');
                sourceName = pool.Intern(blank < 0 ? source : source[..blank]);
            }
            else
            {
                var close = source[(open + 1)..].IndexOf(')');
                var inner = (close < 0 ? source[(open + 1)..] : source.Slice(open + 1, close)).Trim();
                var outer = source[..open].Trim();
                // inner is decoded text in the pool's buffer: make both strings before the next Decode.
                if (outer.Length > 0) sourceName = pool.Intern(outer);
                if (inner.Length > 0) sourceVersion = pool.Intern(inner);
            }
        }
        var architecture = fields.Architecture is { } architectureRange ? pool.Decode(content[architectureRange]) : [];
        return create(name, version, sourceName, sourceVersion, architecture.IsEmpty ? null : pool.Intern(architecture));
    }
}
