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
/// database as it was. The files of a feed that splits a record over several files (Alpine secdb: one file per release and
/// repository, one record per CVE across them) are merged by id before they are stored: with <paramref name="keptFeedsDirectory"/>,
/// a copy of every such file imported is kept under FORMAT/ there, keyed by its source's name, and each import merges the new
/// files with all kept ones, so importing v3.19 later does not take v3.18's entries out of a CVE's record.
/// </summary>
public sealed class AdvisoryFileImporter(IAdvisoryStore store, IImportProgress progress, string? keptFeedsDirectory = null)
{
    /// <param name="sourceNames">The source each path is imported as (the key of its kept secdb copy); by default its full path.</param>
    public async Task<IReadOnlyList<FileImport>> ImportAsync(IReadOnlyList<string> paths, CancellationToken ct, IReadOnlyList<string>? sourceNames = null)
    {
        var recognised = paths.Select((p, i) => (Path: System.IO.Path.GetFullPath(p), Kind: AdvisoryFileFormat.Detect(p),
            Source: sourceNames?[i] ?? System.IO.Path.GetFullPath(p))).ToList();
        var imports = new List<FileImport>();
        foreach (var (path, kind, _) in recognised.Where(r => !r.Kind.MergesFilesById))
            imports.Add(await ImportOneAsync(path, kind, ct));
        foreach (var feed in recognised.Where(r => r.Kind.MergesFilesById).GroupBy(r => r.Kind.Native!))
            imports.AddRange(await ImportMergedAsync(feed.Key, feed.Select(r => (r.Path, r.Kind, r.Source)).ToList(), ct));
        return imports;
    }

    private async Task<FileImport> ImportOneAsync(string path, AdvisoryFileKind kind, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        ImportResult result;
        if (kind.Native is { } native)
        {
            NativeFeedResult feed;
            await using (var stream = AdvisoryFileFormat.OpenContent(path, kind)) feed = await native.CreateReader().ReadAsync(stream, ct);
            result = await StoreNativeAsync(System.IO.Path.GetFileName(path), feed, ct);
            return new FileImport(path, kind, result, feed.Advisories.Count, clock.Elapsed);
        }

        var task = progress.Start(System.IO.Path.GetFileName(path), CountRecords(path, kind));
        var importer = new OsvImporter(new ProgressReportingStore(store, task));
        result = kind == AdvisoryFileKind.OsvDirectory ? await importer.ImportDirectoryAsync(path, ct)
            : kind == AdvisoryFileKind.OsvRecord ? await importer.ImportPathAsync(path, ct)
            // By content: a downloaded zip need not be named .zip.
            : await importer.ImportZipFileAsync(path, ct);
        task.Complete();
        return new FileImport(path, kind, result, result.Total - result.Failed, clock.Elapsed);
    }

    /// <summary>The files of a feed that splits records over files, merged with every file of it kept from earlier imports.</summary>
    private async Task<IReadOnlyList<FileImport>> ImportMergedAsync(
        NativeFeedFormat format, IReadOnlyList<(string Path, AdvisoryFileKind Kind, string Source)> files, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var own = files.ToDictionary(f => f.Path, f => f.Path);
        var keptDirectory = keptFeedsDirectory is null ? null : System.IO.Path.Combine(keptFeedsDirectory, format.Name);
        if (keptDirectory is not null)
        {
            Directory.CreateDirectory(keptDirectory);
            foreach (var (path, kind, source) in files)
            {
                own[path] = System.IO.Path.Combine(keptDirectory, KeptName(source));
                await using var content = AdvisoryFileFormat.OpenContent(path, kind);
                await using var kept = File.Create(own[path]);
                await content.CopyToAsync(kept, ct);
            }
        }
        // Kept copies are stored decompressed.
        var toMerge = keptDirectory is null
            ? files.Select(f => (f.Path, f.Kind)).ToList()
            : Directory.GetFiles(keptDirectory).Order(StringComparer.Ordinal).Select(p => (Path: p, Kind: new AdvisoryFileKind(format.Name, format))).ToList();
        var feeds = new Dictionary<string, NativeFeedResult>();
        foreach (var (file, kind) in toMerge)
        {
            await using var stream = AdvisoryFileFormat.OpenContent(file, kind);
            feeds[file] = await format.CreateReader().ReadAsync(stream, ct);
        }
        var merged = NativeFeed.MergeById(format.Name, feeds.Values);
        var result = await StoreNativeAsync($"{toMerge.Count} {format.Name} file(s)", merged, ct);
        // The merged import's outcome is each file's: they were stored as one feed.
        return files.Select(f => new FileImport(f.Path, f.Kind, result, feeds[own[f.Path]].Advisories.Count, clock.Elapsed)).ToList();
    }

    /// <summary>A kept secdb copy's file name: a hash of its source's name (any characters), so re-importing the source replaces it.</summary>
    private static string KeptName(string source) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..32].ToLowerInvariant();

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
            if (kind == AdvisoryFileKind.OsvDirectory)
                return Directory.EnumerateFiles(path, "*.json", new EnumerationOptions
                    { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true }).LongCount();
            return kind == AdvisoryFileKind.OsvRecord ? 1 : CountZipEntries(path);
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
