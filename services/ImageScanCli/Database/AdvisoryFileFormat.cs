using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace ImageScanning.Cli.Database;

public enum AdvisoryFileKind { OsvDirectory, OsvZip, CveFeedBundle, OsvRecord, DebianTracker, AlpineSecdb }

/// <summary>
/// Tells an advisory file's format by its content, not its name: a zip (by its PK signature; CveFeed's export by its archive
/// comment), one OSV record (an object with "id" and "affected" or "modified"), an Alpine secdb document (JSON or YAML with
/// "packages" and "distroversion"/"reponame"), or the Debian security tracker's JSON (source package → CVE → "releases").
/// </summary>
public static class AdvisoryFileFormat
{
    /// <summary>The archive comment of CveFeed's <c>GET /api/v1/advisories/export</c> zip.</summary>
    public const string CveFeedExportComment = "imagescan-cvefeed-export/1";

    public static string Name(AdvisoryFileKind kind) => kind switch
    {
        AdvisoryFileKind.OsvDirectory => "osv-directory",
        AdvisoryFileKind.OsvZip => "osv-zip",
        AdvisoryFileKind.CveFeedBundle => "cvefeed-bundle",
        AdvisoryFileKind.OsvRecord => "osv-record",
        AdvisoryFileKind.DebianTracker => "debian-tracker",
        _ => "alpine-secdb",
    };

    /// <summary>The kind of <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file when it is none of them.</summary>
    public static AdvisoryFileKind Detect(string path)
    {
        if (Directory.Exists(path)) return AdvisoryFileKind.OsvDirectory;
        if (!File.Exists(path)) throw new FileNotFoundException($"No advisories at {path}.", path);
        var head = new byte[4096];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] is 3 or 5) return DetectZip(path);
        return DetectDocument(path, Encoding.UTF8.GetString(head, 0, read).TrimStart('\uFEFF', ' ', '\t', '\r', '\n'));
    }

    private static AdvisoryFileKind DetectZip(string path)
    {
        bool hasRecords;
        string comment;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            hasRecords = zip.Entries.Any(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
            comment = zip.Comment;
        }
        catch (InvalidDataException e)
        {
            throw Unrecognised(path, $"a damaged zip ({e.Message})");
        }
        if (!hasRecords) throw Unrecognised(path, "a zip without any .json entry");
        return comment == CveFeedExportComment ? AdvisoryFileKind.CveFeedBundle : AdvisoryFileKind.OsvZip;
    }

    private static AdvisoryFileKind DetectDocument(string path, string head)
    {
        if (!head.StartsWith('{'))
        {
            // Alpine also publishes secdb as YAML (v3.15-main.yaml): top-level keys, no braces.
            if (head.Contains("distroversion:", StringComparison.Ordinal) || (head.Contains("packages:", StringComparison.Ordinal) && head.Contains("reponame:", StringComparison.Ordinal)))
                return AdvisoryFileKind.AlpineSecdb;
            throw Unrecognised(path, "neither JSON, YAML secdb nor a zip");
        }
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Unrecognised(path, $"not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Unrecognised(path, "JSON that is not an object");
            if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && (root.TryGetProperty("affected", out _) || root.TryGetProperty("modified", out _)))
                return AdvisoryFileKind.OsvRecord;
            if (root.TryGetProperty("packages", out var packages) && packages.ValueKind == JsonValueKind.Array
                && (root.TryGetProperty("distroversion", out _) || root.TryGetProperty("reponame", out _) || root.TryGetProperty("urlprefix", out _)))
                return AdvisoryFileKind.AlpineSecdb;
            if (LooksLikeDebianTracker(root)) return AdvisoryFileKind.DebianTracker;
            throw Unrecognised(path, "JSON that is no OSV record, Alpine secdb or Debian security tracker document");
        }
    }

    /// <summary>{source package: {CVE or TEMP id: {releases: {...}}}}: the first few packages are enough to tell.</summary>
    private static bool LooksLikeDebianTracker(JsonElement root)
    {
        var seen = 0;
        foreach (var package in root.EnumerateObject().Take(5))
        {
            if (package.Value.ValueKind != JsonValueKind.Object) return false;
            foreach (var issue in package.Value.EnumerateObject().Take(3))
            {
                if (issue.Value.ValueKind != JsonValueKind.Object || !issue.Value.TryGetProperty("releases", out _)) return false;
                seen++;
            }
        }
        return seen > 0;
    }

    private static InvalidDataException Unrecognised(string path, string what) => new(
        $"{path}: not a recognised advisory file ({what}). imagescan reads OSV zips, directories and records, CveFeed export bundles, "
        + "Debian security tracker JSON and Alpine secdb files.");
}
