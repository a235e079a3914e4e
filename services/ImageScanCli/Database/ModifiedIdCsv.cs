using System.Globalization;

namespace ImageScanning.Cli.Database;

/// <summary>One line of osv.dev's modified_id.csv: when a record was last modified, and its id.</summary>
public sealed record ModifiedEntry(DateTimeOffset Modified, string Stamp, string Id);

/// <summary>
/// osv.dev's <c>ECOSYSTEM/modified_id.csv</c>: one <c>RFC3339-timestamp,ID</c> line per record, newest first (the bucket-wide
/// file writes <c>ECOSYSTEM/ID</c>; the folder prefix is dropped). Every line is read, so the order is not relied on.
/// </summary>
public static class ModifiedIdCsv
{
    public static IReadOnlyList<ModifiedEntry> Parse(string text, string url)
    {
        var entries = new List<ModifiedEntry>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            var comma = line.IndexOf(',');
            if (comma <= 0 || comma == line.Length - 1
                || !DateTimeOffset.TryParse(line[..comma], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified))
                throw new InvalidDataException($"{url} line {number} is not 'timestamp,ID': '{Truncate(line)}'.");
            var id = line[(comma + 1)..].Trim();
            id = id[(id.LastIndexOf('/') + 1)..];
            entries.Add(new ModifiedEntry(modified, line[..comma], id));
        }
        return entries;
    }

    /// <summary>The ids modified after <paramref name="watermark"/>, each once, in file order.</summary>
    public static IReadOnlyList<string> ChangedSince(IReadOnlyList<ModifiedEntry> entries, DateTimeOffset watermark) =>
        entries.Where(e => e.Modified > watermark).Select(e => e.Id).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The newest timestamp as written in the file (the next watermark); null for an empty file.</summary>
    public static string? Newest(IReadOnlyList<ModifiedEntry> entries) => entries.MaxBy(e => e.Modified)?.Stamp;

    public static DateTimeOffset ParseStamp(string stamp) =>
        DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Truncate(string line) => line.Length > 80 ? line[..80] + "…" : line;
}
