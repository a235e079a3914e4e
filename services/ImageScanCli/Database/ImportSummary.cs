using System.Globalization;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.Cli.Database;

/// <summary>The plain one-line summaries imports and updates print (what tests and scripts read).</summary>
public static class ImportSummary
{
    public static string Line(string name, ImportResult result, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? result.Total / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: {result.Total} records: {result.Added} new, {result.Changed} changed, {result.MetadataChanged} metadata changed, "
            + $"{result.Unchanged} unchanged, {result.Failed} failed in {elapsed.TotalSeconds:0.0} s ({rate:0} records/s)");
    }

    /// <summary>The first failures of an import, so a partly unreadable file is not taken for a clean one.</summary>
    public static IEnumerable<string> Failures(string name, ImportResult result) =>
        result.Failures.Take(5).Select(f => $"{name}: {f.Name} was not imported: {f.Reason}")
            .Concat(result.Failed > 5 ? [$"{name}: and {result.Failed - 5} more records were not imported"] : []);
}
