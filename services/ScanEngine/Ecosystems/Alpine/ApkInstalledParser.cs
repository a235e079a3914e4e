using System.Text;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>One installed package from apk's database.</summary>
/// <param name="Origin">The "o:" source package (aports directory), or <paramref name="Name"/> when absent.</param>
/// <param name="Files">The package's files ("F:" directory + "R:" name), relative to the root, in database order.</param>
public sealed record ApkEntry(
    string Name,
    string Version,
    string Origin,
    string? Architecture,
    string? License,
    string? Commit,
    IReadOnlyList<string> Files);

/// <summary>
/// Reads apk's <c>lib/apk/db/installed</c>: one paragraph per package, paragraphs separated by blank lines, one
/// "X:value" line per field (P name, V version, A architecture, o origin, L licence, c aports commit, F directory,
/// R file in the last F directory, and checksums, sizes, dependencies the scanner does not need). Paragraphs
/// without P or V are skipped; the first P, V, A, o, L and c of a paragraph count. Never throws on malformed content.
/// </summary>
public static class ApkInstalledParser
{
    public static IReadOnlyList<ApkEntry> Parse(byte[] content) => Parse(Encoding.UTF8.GetString(content));

    public static IReadOnlyList<ApkEntry> Parse(string text)
    {
        var entries = new List<ApkEntry>();
        var paragraph = new Paragraph();
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (paragraph.ToEntry() is { } entry) entries.Add(entry);
                paragraph = new Paragraph();
                continue;
            }
            // A field is one letter and a colon; anything else (a corrupt line) is ignored.
            if (line.Length < 2 || line[1] != ':') continue;
            paragraph.Add(line[0], line[2..]);
        }
        if (paragraph.ToEntry() is { } last) entries.Add(last);
        return entries;
    }

    private sealed class Paragraph
    {
        private string? name, version, origin, architecture, license, commit;
        private string? directory;
        private readonly List<string> files = [];

        public void Add(char field, string value)
        {
            switch (field)
            {
                case 'P': name ??= value.Trim(); break;
                case 'V': version ??= value.Trim(); break;
                case 'o': origin ??= value.Trim(); break;
                case 'A': architecture ??= value.Trim(); break;
                case 'L': license ??= value.Trim(); break;
                case 'c': commit ??= value.Trim(); break;
                case 'F':
                    directory = value.Trim('/');
                    if (directory.Length > 0) files.Add(directory);
                    break;
                case 'R':
                    var file = value.Trim('/');
                    if (file.Length > 0) files.Add(string.IsNullOrEmpty(directory) ? file : directory + "/" + file);
                    break;
            }
        }

        public ApkEntry? ToEntry()
        {
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version)) return null;
            return new ApkEntry(name, version, string.IsNullOrEmpty(origin) ? name : origin,
                NullIfEmpty(architecture), NullIfEmpty(license), NullIfEmpty(commit), files);
        }

        private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }
}
