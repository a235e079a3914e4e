using ImageScanning.Cli.Database;

namespace ImageScanning.Cli.Cli.Db;

/// <summary>What the database commands (and scan's --advisories) share.</summary>
public static class DbCommands
{
    public static string NoDatabase(string cacheDir) =>
        $"No advisory database in {cacheDir}: run `imagescan db update` to download one (or `imagescan db import PATH...` where there is no network), "
        + "or name --advisories.";

    /// <summary>A file or directory is a source named after its full path; importing it again updates that row.</summary>
    public static string FileSourceName(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>Records an import of a file or directory, with its <see cref="FileFingerprint"/> as the ETag.</summary>
    public static Task<SourceRecord> RecordFileImportAsync(AdvisoryCache cache, FileImport import, DateTimeOffset now, CancellationToken ct) =>
        cache.Sources.RecordImportAsync(FileSourceName(import.Path), import.Kind.Name, import.Path, import.Result,
            import.RecordsRead, incremental: false, etag: FileFingerprint.Of(import.Path), watermark: null, now, ct);

    /// <summary>Lines printed as they come when output is plain; held back while progress bars are drawn, printed after them.</summary>
    public sealed class Lines(TextWriter writer, bool hold)
    {
        private readonly List<string> held = [];

        public async Task WriteAsync(string line)
        {
            if (hold) held.Add(line);
            else await writer.WriteLineAsync(line);
        }

        public async Task FlushAsync()
        {
            foreach (var line in held) await writer.WriteLineAsync(line);
            held.Clear();
        }
    }
}
