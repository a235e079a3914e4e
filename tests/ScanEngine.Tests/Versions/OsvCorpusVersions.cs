using System.Text.Json;
using ImageScanning.ScanEngine.Tests.Advisories;

namespace ImageScanning.ScanEngine.Tests.Versions;

/// <summary>
/// The versions real advisories write for one OSV ecosystem: every listed version and every introduced / fixed /
/// last_affected / limit event of the corpus's records, so that oracles also see what the comparers meet in practice.
/// </summary>
internal static class OsvCorpusVersions
{
    public static List<string> Of(string ecosystem)
    {
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in OsvCorpus.AllFiles())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("affected", out var affected)) continue;
            foreach (var entry in affected.EnumerateArray())
            {
                if (!entry.TryGetProperty("package", out var package) || !package.TryGetProperty("ecosystem", out var name) || name.GetString() != ecosystem) continue;
                if (entry.TryGetProperty("versions", out var listed))
                    foreach (var v in listed.EnumerateArray()) versions.Add(v.GetString()!);
                if (!entry.TryGetProperty("ranges", out var ranges)) continue;
                foreach (var range in ranges.EnumerateArray())
                    foreach (var evt in range.GetProperty("events").EnumerateArray())
                        foreach (var field in evt.EnumerateObject())
                            if (field.Value.ValueKind == JsonValueKind.String) versions.Add(field.Value.GetString()!);
            }
        }
        return [.. versions];
    }

    /// <summary><paramref name="count"/> random pairs of the ecosystem's real versions (fixed seed).</summary>
    public static List<(string A, string B)> Pairs(IReadOnlyList<string> versions, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (versions[random.Next(versions.Count)], versions[random.Next(versions.Count)]))];
    }
}
