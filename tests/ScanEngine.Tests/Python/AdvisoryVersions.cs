using System.Text.Json;
using ImageScanning.ScanEngine.Tests.Advisories;

namespace ImageScanning.ScanEngine.Tests.Python;

/// <summary>The real versions an ecosystem's OSV records in the corpus list (affected versions and range events).</summary>
internal static class AdvisoryVersions
{
    public static IReadOnlyList<string> Of(string ecosystem)
    {
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in OsvCorpus.AllFiles())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (!doc.RootElement.TryGetProperty("affected", out var affected) || affected.ValueKind != JsonValueKind.Array) continue;
            foreach (var entry in affected.EnumerateArray())
            {
                if (!entry.TryGetProperty("package", out var package) || !package.TryGetProperty("ecosystem", out var eco)
                    || eco.GetString() != ecosystem) continue;
                if (entry.TryGetProperty("versions", out var listed))
                    foreach (var v in listed.EnumerateArray()) versions.Add(v.GetString()!);
                if (!entry.TryGetProperty("ranges", out var ranges)) continue;
                foreach (var range in ranges.EnumerateArray())
                {
                    if (range.GetProperty("type").GetString() != "ECOSYSTEM") continue;
                    foreach (var evt in range.GetProperty("events").EnumerateArray())
                        foreach (var p in evt.EnumerateObject())
                            if (p.Value.ValueKind == JsonValueKind.String) versions.Add(p.Value.GetString()!);
                }
            }
        }
        return [.. versions];
    }

    /// <summary>Random pairs of those versions (fixed seed).</summary>
    public static List<(string, string)> Pairs(IReadOnlyList<string> versions, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (versions[random.Next(versions.Count)], versions[random.Next(versions.Count)]))];
    }
}
