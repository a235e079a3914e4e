using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>
/// A Trivy vulnerability database (trivy.db, schema 2, and its metadata.json) holding the same OSV advisories imagescan is given,
/// so that both tools match offline against the same records. Trivy's own database is a download from ghcr.io, which this
/// machine cannot reach. The rows are written by <c>trivy-db-writer</c> (Go, Debian's bbolt), built here on first use.
/// Layout, as Trivy v0.44 reads it: one top-level bucket per data source ("debian 12", "alpine 3.18", "npm::…"), in it one
/// bucket per package (source package for distributions), in it one advisory per vulnerability id; details of each id in
/// "vulnerability"; each data-source bucket described in "data-source".
/// </summary>
public static partial class TrivyVulnDb
{
    /// <summary>The name the language buckets carry after "ecosystem::"; Trivy reads every bucket with the ecosystem's prefix.</summary>
    private const string LanguageSource = "Open Source Vulnerability (benchmark copy)";

    /// <summary>OSV ecosystem → Trivy's ecosystem prefix, for the language ecosystems Trivy v0.44 matches.</summary>
    private static readonly Dictionary<string, string> LanguageEcosystems = new(StringComparer.Ordinal)
    {
        ["npm"] = "npm", ["PyPI"] = "pip", ["RubyGems"] = "rubygems", ["crates.io"] = "cargo", ["Packagist"] = "composer",
        ["Maven"] = "maven", ["Go"] = "go", ["NuGet"] = "nuget",
    };

    public sealed record Built(int Advisories, int Rows, TimeSpan Elapsed);

    /// <summary>Writes <c>db/trivy.db</c> and <c>db/metadata.json</c> under <paramref name="cacheDirectory"/> from the OSV files or zips given.</summary>
    public static async Task<Built> BuildAsync(IReadOnlyList<string> advisoryPaths, string cacheDirectory, string work, CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var writer = await BuildWriterAsync(work, ct);
        var rows = Path.Combine(work, "trivy-db-rows.jsonl");
        var (advisories, count) = await WriteRowsAsync(advisoryPaths, rows, ct);
        var dbDirectory = Path.Combine(cacheDirectory, "db");
        Directory.CreateDirectory(dbDirectory);
        var dbFile = Path.Combine(dbDirectory, "trivy.db");
        File.Delete(dbFile);
        await ProcessRunner.RunAsync("sh", ["-c", "exec \"$0\" \"$1\" < \"$2\"", writer, dbFile, rows], TimeSpan.FromMinutes(5), ct: ct);
        var now = DateTime.UtcNow;
        // Version 2 is the schema Trivy v0.44 requires; a NextUpdate in the future keeps it from wanting a download. Times are
        // written with a literal Z: Go's time parser reads the JSON string's bytes and rejects an escaped "+" (\u002B).
        static string Rfc3339(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(dbDirectory, "metadata.json"), new JsonObject
        {
            ["Version"] = 2, ["NextUpdate"] = Rfc3339(now.AddYears(1)), ["UpdatedAt"] = Rfc3339(now), ["DownloadedAt"] = Rfc3339(now),
        }.ToJsonString(), ct);
        return new Built(advisories, count, started.Elapsed);
    }

    /// <summary>Where Debian's golang-github-coreos-bbolt-dev puts the bbolt sources that GOPATH mode builds against.</summary>
    private const string DebianGoPath = "/usr/share/gocode";

    private static async Task<string> BuildWriterAsync(string work, CancellationToken ct)
    {
        if (!Directory.Exists(Path.Combine(DebianGoPath, "src", "go.etcd.io", "bbolt")))
            throw new InvalidOperationException($"Trivy's database writer needs Go and bbolt from Debian: {DebianGoPath}/src/go.etcd.io/bbolt is missing. " +
                "Install them with: apt-get install golang-go golang-github-coreos-bbolt-dev");
        var source = Path.Combine(Corpus.RepositoryRoot, "tests", "Benchmarks", "WholeProcess", "trivy-db-writer");
        var binary = Path.Combine(work, "trivy-db-writer");
        // GOPATH mode against Debian's packaged sources (golang-go, golang-github-coreos-bbolt-dev): no module download.
        await ProcessRunner.RunAsync("go", ["build", "-o", binary, "."], TimeSpan.FromMinutes(5), workingDirectory: source,
            environment: new Dictionary<string, string>
            {
                ["GO111MODULE"] = "off", ["GOPATH"] = DebianGoPath, ["GOFLAGS"] = "", ["GOCACHE"] = Path.Combine(work, "go-cache"),
            }, ct: ct);
        return binary;
    }

    private static async Task<(int Advisories, int Rows)> WriteRowsAsync(IReadOnlyList<string> paths, string rowsFile, CancellationToken ct)
    {
        var dataSources = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var advisories = 0;
        var rows = 0;
        await using var output = new StreamWriter(rowsFile);
        async Task Row(string[] buckets, string key, JsonNode value)
        {
            await output.WriteLineAsync(new JsonObject { ["buckets"] = new JsonArray(buckets.Select(b => (JsonNode)b).ToArray()), ["key"] = key, ["value"] = value }.ToJsonString());
            rows++;
        }

        foreach (var record in paths.SelectMany(ReadRecords))
        {
            ct.ThrowIfCancellationRequested();
            using var json = JsonDocument.Parse(record);
            var root = json.RootElement;
            if (!root.TryGetProperty("id", out var idElement) || idElement.GetString() is not { } id) continue;
            if (root.TryGetProperty("withdrawn", out _)) continue;
            var wrote = false;
            foreach (var affected in Array(root, "affected"))
            {
                if (!affected.TryGetProperty("package", out var package)) continue;
                var ecosystem = package.TryGetProperty("ecosystem", out var e) ? e.GetString() ?? "" : "";
                var name = package.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                if (name.Length == 0) continue;
                var (bucket, sourceId) = BucketOf(ecosystem);
                if (bucket is null) continue;
                dataSources.TryAdd(bucket, new JsonObject { ["ID"] = sourceId, ["Name"] = bucket, ["URL"] = "" });
                var advisory = bucket.Contains("::", StringComparison.Ordinal) ? LanguageAdvisory(affected) : DistributionAdvisory(affected);
                if (advisory is null) continue;
                await Row([bucket, NormalizedName(bucket, name)], id, advisory);
                wrote = true;
            }
            if (!wrote) continue;
            advisories++;
            await Row(["vulnerability"], id, Details(root));
        }
        foreach (var (bucket, source) in dataSources) await Row(["data-source"], bucket, source);
        return (advisories, rows);
    }

    /// <summary>"Debian:12" → "debian 12"; "Alpine:v3.18" → "alpine 3.18"; "Ubuntu:18.04:LTS" → "ubuntu 18.04"; "npm" → "npm::…".</summary>
    private static (string? Bucket, string SourceId) BucketOf(string ecosystem)
    {
        if (LanguageEcosystems.TryGetValue(ecosystem, out var language)) return ($"{language}::{LanguageSource}", "osv");
        var parts = ecosystem.Split(':');
        return parts switch
        {
            ["Debian", var release] => ($"debian {release}", "debian"),
            ["Alpine", var release] => ($"alpine {release.TrimStart('v')}", "alpine"),
            ["Ubuntu", var release, ..] when release != "Pro" => ($"ubuntu {release}", "ubuntu"),
            _ => (null, ""),
        };
    }

    /// <summary>Trivy looks PyPI names up normalized (PEP 503); the others as the package manager spells them.</summary>
    private static string NormalizedName(string bucket, string name) =>
        bucket.StartsWith("pip::", StringComparison.Ordinal) ? PythonSeparators().Replace(name.ToLowerInvariant(), "-") : name;

    [GeneratedRegex("[-_.]+")]
    private static partial Regex PythonSeparators();

    /// <summary>A distribution advisory is its fixed version (none: not fixed yet, which Trivy still reports).</summary>
    private static JsonObject DistributionAdvisory(JsonElement affected)
    {
        var fixes = Events(affected).Where(e => e.Kind == "fixed").Select(e => e.Version).ToList();
        return new JsonObject { ["FixedVersion"] = fixes.FirstOrDefault() ?? "" };
    }

    /// <summary>Each OSV range becomes one constraint (">=introduced, &lt;fixed" or "&lt;=last_affected"); explicit versions "=v".</summary>
    private static JsonObject? LanguageAdvisory(JsonElement affected)
    {
        var vulnerable = new List<string>();
        var patched = new List<string>();
        foreach (var range in Array(affected, "ranges"))
        {
            if (range.TryGetProperty("type", out var type) && type.GetString() == "GIT") continue;
            string? introduced = null;
            foreach (var (kind, version) in EventsOf(range))
            {
                switch (kind)
                {
                    case "introduced": introduced = version; break;
                    case "fixed":
                        vulnerable.Add(Constraint(introduced, "<" + version));
                        patched.Add(version);
                        introduced = null;
                        break;
                    case "last_affected":
                        vulnerable.Add(Constraint(introduced, "<=" + version));
                        introduced = null;
                        break;
                }
            }
            if (introduced is not null) vulnerable.Add(introduced == "0" ? ">=0" : ">=" + introduced);
        }
        if (vulnerable.Count == 0)
            vulnerable.AddRange(Array(affected, "versions").Select(v => "=" + v.GetString()));
        if (vulnerable.Count == 0) return null;
        return new JsonObject
        {
            ["VulnerableVersions"] = new JsonArray(vulnerable.Select(v => (JsonNode)v).ToArray()),
            ["PatchedVersions"] = new JsonArray(patched.Select(v => (JsonNode)v).ToArray()),
        };
    }

    private static string Constraint(string? introduced, string upper) =>
        introduced is null or "0" ? upper : $">={introduced}, {upper}";

    private static JsonObject Details(JsonElement root)
    {
        var severity = root.TryGetProperty("database_specific", out var specific) && specific.ValueKind == JsonValueKind.Object
            && specific.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()!.ToUpperInvariant() : "UNKNOWN";
        if (severity == "MODERATE") severity = "MEDIUM";
        return new JsonObject
        {
            ["Title"] = root.TryGetProperty("summary", out var summary) ? summary.GetString() : "",
            ["Description"] = root.TryGetProperty("details", out var details) ? details.GetString() : "",
            ["Severity"] = severity,
        };
    }

    private static IEnumerable<(string Kind, string Version)> Events(JsonElement affected) => Array(affected, "ranges").SelectMany(EventsOf);

    private static IEnumerable<(string Kind, string Version)> EventsOf(JsonElement range)
    {
        foreach (var ev in Array(range, "events"))
            foreach (var property in ev.EnumerateObject())
                if (property.Value.ValueKind == JsonValueKind.String) yield return (property.Name, property.Value.GetString()!);
    }

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray().ToList() : [];

    /// <summary>Every *.json under a directory, or in a zip, or the file itself.</summary>
    private static IEnumerable<byte[]> ReadRecords(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                yield return File.ReadAllBytes(file);
            yield break;
        }
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                yield return buffer.ToArray();
            }
            yield break;
        }
        yield return File.ReadAllBytes(path);
    }
}
