using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems;

namespace ImageScanning.Cli.Database;

/// <summary>
/// What an advisory file is: OSV (a directory, a zip, CveFeed's export bundle, one record) or one of the native feed formats the
/// engine's ecosystems read (<see cref="EcosystemCatalog.NativeFeeds"/>), possibly gzip- or bzip2-compressed.
/// </summary>
public sealed record AdvisoryFileKind(string Name, NativeFeedFormat? Native = null, FeedCompressionKind Compression = FeedCompressionKind.None)
{
    public static readonly AdvisoryFileKind OsvDirectory = new("osv-directory");
    public static readonly AdvisoryFileKind OsvZip = new("osv-zip");
    public static readonly AdvisoryFileKind CveFeedBundle = new("cvefeed-bundle");
    public static readonly AdvisoryFileKind OsvRecord = new("osv-record");

    public bool MergesFilesById => Native?.MergesFilesById ?? false;

    public override string ToString() => Name;
}

/// <summary>
/// Tells an advisory file's format by its content, not its name: a zip (by its PK signature; CveFeed's export by its archive
/// comment), one OSV record (an object with "id" and "affected" or "modified"), or a native feed document that one of the
/// catalog's formats recognises by its head (gzip- and bzip2-compressed ones are looked into).
/// </summary>
public static class AdvisoryFileFormat
{
    /// <summary>The archive comment of CveFeed's <c>GET /api/v1/advisories/export</c> zip.</summary>
    public const string CveFeedExportComment = "imagescan-cvefeed-export/1";

    /// <summary>The kind of <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file when it is none of them.</summary>
    public static AdvisoryFileKind Detect(string path)
    {
        if (Directory.Exists(path)) return AdvisoryFileKind.OsvDirectory;
        if (!File.Exists(path)) throw new FileNotFoundException($"No advisories at {path}.", path);
        var head = new byte[4];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] is 3 or 5) return DetectZip(path);
        return DetectDocument(path, FeedCompression.Of(head.AsSpan(0, read)));
    }

    /// <summary>The file's content, decompressed when it is gzip or bzip2.</summary>
    public static Stream OpenContent(string path, AdvisoryFileKind kind) => FeedCompression.Decompress(File.OpenRead(path), kind.Compression);

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

    private static AdvisoryFileKind DetectDocument(string path, FeedCompressionKind compression)
    {
        string head;
        try
        {
            using var content = OpenContent(path, new AdvisoryFileKind("probe", Compression: compression));
            var buffer = new byte[NativeFeedFormat.HeadLength];
            var read = content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            head = Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (InvalidDataException e)
        {
            throw Unrecognised(path, $"a damaged {compression} file ({e.Message})");
        }
        if (EcosystemCatalog.NativeFeeds.FirstOrDefault(f => f.Recognizes(head)) is { } native)
            return new AdvisoryFileKind(native.Name, native, compression);
        if (compression == FeedCompressionKind.None && IsOsvRecord(path)) return AdvisoryFileKind.OsvRecord;
        throw Unrecognised(path, compression == FeedCompressionKind.None
            ? "no OSV record and no native feed document" : $"{compression}-compressed, but not a native feed document");
    }

    private static bool IsOsvRecord(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true });
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && (root.TryGetProperty("affected", out _) || root.TryGetProperty("modified", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static InvalidDataException Unrecognised(string path, string what) => new(
        $"{path}: not a recognised advisory file ({what}). imagescan reads OSV zips, directories and records, CveFeed export bundles "
        + $"and these native feeds: {string.Join("; ", EcosystemCatalog.NativeFeeds.Select(f => $"{f.Name} ({f.Description})"))}.");
}
