using System.IO.Compression;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// The real advisory records the scale database is replicated from: every OSV record of the corpus (<c>osv/*</c>, every
/// ecosystem), the whole go-vulndb feed, and the corpus's native Debian tracker and Alpine/Wolfi secdb files converted to OSV
/// by the engine's own sources. Each seed is the record's JSON as a mutable tree.
/// </summary>
public static class AdvisorySeeds
{
    public static async Task<IReadOnlyList<JsonObject>> LoadAsync(CancellationToken ct = default)
    {
        var seeds = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        void Add(string json)
        {
            if (JsonNode.Parse(json) is JsonObject record && record["id"]?.GetValue<string>() is { Length: > 0 } id) seeds.TryAdd(id, record);
        }

        foreach (var file in Directory.EnumerateFiles(Corpus.PathOf("osv"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try { Add(await File.ReadAllTextAsync(file, ct)); }
            catch (System.Text.Json.JsonException) { } // the corpus keeps a few deliberately broken records for the parser tests
        }

        using (var zip = ZipFile.OpenRead(Corpus.PathOf("feeds", "go-vulndb-osv.zip")))
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".json", StringComparison.Ordinal)).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                using var reader = new StreamReader(entry.Open());
                Add(await reader.ReadToEndAsync(ct));
            }

        var native = new List<(INativeAdvisorySource Source, string Path)>();
        foreach (var name in new[] { "osvdev-debian_security_tracker_mock.json", "vunnel-debian.json" })
            native.Add((new DebianSecurityTrackerSource(), Corpus.PathOf("native", "debian-tracker", name)));
        foreach (var file in Directory.EnumerateFiles(Corpus.PathOf("native", "alpine-secdb")).Order(StringComparer.Ordinal))
            native.Add((new AlpineSecdbSource(), file));
        foreach (var (source, path) in native)
        {
            await using var stream = File.OpenRead(path);
            foreach (var advisory in (await source.ReadAsync(stream, ct)).Advisories) Add(advisory.RawJson);
        }
        return seeds.Values.ToList();
    }
}
