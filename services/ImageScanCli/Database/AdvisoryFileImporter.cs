using System.Diagnostics;
using System.IO.Compression;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.Cli.Database;

/// <summary>What importing one file or directory did.</summary>
public sealed record FileImport(string Path, AdvisoryFileKind Kind, ImportResult Result, long RecordsRead, TimeSpan Elapsed)
{
    /// <summary>Records stored or compared per second (every record read counts: an unchanged one was still hashed and looked up).</summary>
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? Result.Total / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Imports advisory files of any format <see cref="AdvisoryFileFormat"/> recognises into the store, upserting by id (unchanged
/// records are compared, not rewritten). Every path is recognised before anything is imported, so one bad path leaves the
/// database as it was. Alpine secdb files are merged by id before they are stored (one file per release and repository, one
/// record per CVE across them): with <paramref name="secdbDirectory"/>, a copy of every secdb file imported is kept there under
/// its source's name, and each import merges the new files with all kept ones, so importing v3.19 later does not take v3.18's
/// entries out of a CVE's record.
/// </summary>
public sealed class AdvisoryFileImporter(IAdvisoryStore store, IImportProgress progress, string? secdbDirectory = null)
{
    /// <param name="sourceNames">The source each path is imported as (the key of its kept secdb copy); by default its full path.</param>
    public async Task<IReadOnlyList<FileImport>> ImportAsync(IReadOnlyList<string> paths, CancellationToken ct, IReadOnlyList<string>? sourceNames = null)
    {
        var recognised = paths.Select((p, i) => (Path: System.IO.Path.GetFullPath(p), Kind: AdvisoryFileFormat.Detect(p),
            Source: sourceNames?[i] ?? System.IO.Path.GetFullPath(p))).ToList();
        var imports = new List<FileImport>();
        foreach (var (path, kind, _) in recognised.Where(r => r.Kind != AdvisoryFileKind.AlpineSecdb))
            imports.Add(await ImportOneAsync(path, kind, ct));
        var secdb = recognised.Where(r => r.Kind == AdvisoryFileKind.AlpineSecdb).Select(r => (r.Path, r.Source)).ToList();
        if (secdb.Count > 0) imports.AddRange(await ImportSecdbAsync(secdb, ct));
        return imports;
    }

    private async Task<FileImport> ImportOneAsync(string path, AdvisoryFileKind kind, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        ImportResult result;
        if (kind == AdvisoryFileKind.DebianTracker)
        {
            NativeFeedResult feed;
            await using (var stream = File.OpenRead(path)) feed = await new DebianSecurityTrackerSource().ReadAsync(stream, ct);
            result = await StoreNativeAsync(System.IO.Path.GetFileName(path), feed, ct);
            return new FileImport(path, kind, result, feed.Advisories.Count, clock.Elapsed);
        }

        var task = progress.Start(System.IO.Path.GetFileName(path), CountRecords(path, kind));
        var importer = new OsvImporter(new ProgressReportingStore(store, task));
        result = kind switch
        {
            AdvisoryFileKind.OsvDirectory => await importer.ImportDirectoryAsync(path, ct),
            AdvisoryFileKind.OsvRecord => await importer.ImportPathAsync(path, ct),
            // By content: a downloaded zip need not be named .zip.
            _ => await importer.ImportZipFileAsync(path, ct),
        };
        task.Complete();
        return new FileImport(path, kind, result, result.Total - result.Failed, clock.Elapsed);
    }

    private async Task<IReadOnlyList<FileImport>> ImportSecdbAsync(IReadOnlyList<(string Path, string Source)> files, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var own = files.ToDictionary(f => f.Path, f => f.Path);
        if (secdbDirectory is not null)
        {
            Directory.CreateDirectory(secdbDirectory);
            foreach (var (path, source) in files)
            {
                own[path] = System.IO.Path.Combine(secdbDirectory, KeptName(source));
                File.Copy(path, own[path], overwrite: true);
            }
        }
        var toMerge = secdbDirectory is null ? files.Select(f => f.Path).ToList() : Directory.GetFiles(secdbDirectory).Order(StringComparer.Ordinal).ToList();
        var feeds = new Dictionary<string, NativeFeedResult>();
        foreach (var file in toMerge)
        {
            await using var stream = File.OpenRead(file);
            feeds[file] = await new AlpineSecdbSource().ReadAsync(stream, ct);
        }
        var merged = NativeFeed.MergeById(AlpineSecdbSource.SourceName, feeds.Values);
        var result = await StoreNativeAsync($"{toMerge.Count} secdb file(s)", merged, ct);
        // The merged import's outcome is each file's: they were stored as one feed.
        return files.Select(f => new FileImport(f.Path, AdvisoryFileKind.AlpineSecdb, result, feeds[own[f.Path]].Advisories.Count, clock.Elapsed)).ToList();
    }

    /// <summary>A kept secdb copy's file name: a hash of its source's name (any characters), so re-importing the source replaces it.</summary>
    private static string KeptName(string source) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..32].ToLowerInvariant() + ".secdb";

    private async Task<ImportResult> StoreNativeAsync(string label, NativeFeedResult feed, CancellationToken ct)
    {
        var task = progress.Start(label, feed.Advisories.Count);
        var result = await NativeFeed.StoreAsync(new ProgressReportingStore(store, task), feed, ct: ct);
        task.Complete();
        return result;
    }

    private static long? CountRecords(string path, AdvisoryFileKind kind)
    {
        try
        {
            return kind switch
            {
                AdvisoryFileKind.OsvDirectory => Directory.EnumerateFiles(path, "*.json", new EnumerationOptions
                    { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true }).LongCount(),
                AdvisoryFileKind.OsvRecord => 1,
                _ => CountZipEntries(path),
            };
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long CountZipEntries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.LongCount(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
    }
}
