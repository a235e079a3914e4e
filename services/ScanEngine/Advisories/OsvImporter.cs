using System.IO.Compression;
using System.Text;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.ScanEngine.Advisories;

/// <summary>A file or zip entry that was not imported, and why.</summary>
public sealed record ImportFailure(string Name, string Reason);

/// <summary>What one import did.</summary>
public sealed record ImportResult
{
    public int Added { get; init; }
    public int Changed { get; init; }
    public int MetadataChanged { get; init; }
    public int Unchanged { get; init; }
    public int Failed => Failures.Count;
    public int Total => Added + Changed + MetadataChanged + Unchanged + Failed;
    public IReadOnlyList<ImportFailure> Failures { get; init; } = [];

    /// <summary>
    /// Advisories whose affected data is new or changed and that are not withdrawn: the ones a
    /// NewCveAdded is published for. In import order, each id once (its last version).
    /// </summary>
    public IReadOnlyList<OsvAdvisory> NewOrChanged { get; init; } = [];

    /// <summary>Ids stored as withdrawn by this import (new withdrawn records or ones withdrawn since).</summary>
    public IReadOnlyList<string> Withdrawn { get; init; } = [];
}

public sealed record OsvImportOptions
{
    /// <summary>Files or zip entries larger than this are skipped and recorded as failures.</summary>
    public long MaxRecordBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Advisories per store batch (one transaction or bulk write each).</summary>
    public int BatchSize { get; init; } = 1000;
}

/// <summary>
/// Imports OSV records into an <see cref="IAdvisoryStore"/> from a directory (every *.json below it), a
/// zip file (every *.json entry, e.g. osv.dev's per-ecosystem all.zip), or a zip stream. A record that
/// cannot be read is recorded with its reason and the import goes on. Nothing is extracted to disk, so
/// entry names are only labels; oversized entries are skipped, and an entry's real size is enforced
/// while reading, whatever its header claims. Directory files and zip entries are read in ordinal
/// name order, so a record that appears twice is stored as its last occurrence.
/// No ConfigureAwait(false) here or in the feed sources and matcher: their CPU work must stay on the caller's scheduler, which
/// for imports and re-scans is the low-priority background lane.
/// </summary>
public sealed class OsvImporter(IAdvisoryStore store, OsvImportOptions? options = null)
{
    private readonly OsvImportOptions options = options ?? new OsvImportOptions();

    /// <summary>Imports a directory (recursively), a .zip file, or a single .json file.</summary>
    public Task<ImportResult> ImportPathAsync(string path, CancellationToken ct = default)
    {
        if (Directory.Exists(path)) return ImportDirectoryAsync(path, ct);
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) return ImportZipFileAsync(path, ct);
        return ImportSourcesAsync(FileSources([path], Path.GetDirectoryName(Path.GetFullPath(path)) ?? ""), ct);
    }

    public Task<ImportResult> ImportDirectoryAsync(string directory, CancellationToken ct = default)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"OSV directory not found: {directory}");
        var files = Directory.EnumerateFiles(directory, "*.json", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                MatchCasing = MatchCasing.CaseInsensitive,
                MaxRecursionDepth = 32,
                IgnoreInaccessible = true,
            })
            .Order(StringComparer.Ordinal)
            .ToList();
        return ImportSourcesAsync(FileSources(files, directory), ct);
    }

    public async Task<ImportResult> ImportZipFileAsync(string zipPath, CancellationToken ct = default)
    {
        await using var stream = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await ImportZipAsync(stream, ct);
    }

    /// <summary>Imports a zip from a stream; a non-seekable stream is first spooled to a temporary file.</summary>
    public async Task<ImportResult> ImportZipAsync(Stream zip, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(zip);
        if (zip.CanSeek) return await ImportSeekableZipAsync(zip, ct);

        var spool = Path.Combine(Path.GetTempPath(), $"osv-import-{Guid.NewGuid():N}.zip");
        await using var temp = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await zip.CopyToAsync(temp, ct);
        temp.Position = 0;
        return await ImportSeekableZipAsync(temp, ct);
    }

    private async Task<ImportResult> ImportSeekableZipAsync(Stream zip, CancellationToken ct)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            return new ImportResult { Failures = [new ImportFailure("(zip)", $"not a readable zip archive: {e.Message}")] };
        }
        using (archive)
        {
            var entries = archive.Entries
                .Where(e => !e.FullName.EndsWith('/') && e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.FullName, StringComparer.Ordinal)
                .ToList();
            return await ImportSourcesAsync(ZipSources(entries), ct);
        }
    }

    /// <summary>One record source: a name for reports and a reader returning the bytes or a failure reason.</summary>
    private sealed record Source(string Name, Func<CancellationToken, Task<(byte[]? Bytes, string? Failure)>> Read);

    private IEnumerable<Source> FileSources(IEnumerable<string> files, string root) =>
        files.Select(file => new Source(Path.GetRelativePath(root, file).Replace('\\', '/'), async ct =>
        {
            var info = new FileInfo(file);
            if (info.Length > options.MaxRecordBytes)
                return (null, $"skipped: {info.Length} bytes is over the {options.MaxRecordBytes}-byte limit");
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14, useAsync: true);
            return await ReadLimitedAsync(stream, ct);
        }));

    private IEnumerable<Source> ZipSources(IEnumerable<ZipArchiveEntry> entries) =>
        entries.Select(entry => new Source(entry.FullName, async ct =>
        {
            if (entry.Length > options.MaxRecordBytes)
                return (null, $"skipped: {entry.Length} bytes uncompressed is over the {options.MaxRecordBytes}-byte limit");
            await using var stream = entry.Open();
            return await ReadLimitedAsync(stream, ct);
        }));

    private async Task<(byte[]? Bytes, string? Failure)> ReadLimitedAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, ct);
            if (read == 0) break;
            if (buffer.Length + read > options.MaxRecordBytes)
                return (null, $"skipped: more than the {options.MaxRecordBytes}-byte limit");
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), null);
    }

    private async Task<ImportResult> ImportSourcesAsync(IEnumerable<Source> sources, CancellationToken ct)
    {
        var failures = new List<ImportFailure>();
        var counts = new Dictionary<AdvisoryChange, int>();
        var newOrChanged = new OrderedDictionary<string, OsvAdvisory>(StringComparer.Ordinal);
        var withdrawn = new List<string>();
        var batch = new List<(OsvAdvisory Advisory, string RawJson)>(options.BatchSize);

        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            var results = await store.UpsertManyAsync(batch, ct);
            for (var i = 0; i < results.Count; i++)
            {
                var result = results[i];
                if (result.Change == AdvisoryChange.Rejected)
                {
                    failures.Add(new ImportFailure(result.Id, result.Rejection ?? "rejected by the advisory store"));
                    continue;
                }
                counts[result.Change] = counts.GetValueOrDefault(result.Change) + 1;
                if (!result.AffectedDataChanged) continue;
                if (result.IsWithdrawn)
                {
                    withdrawn.Add(result.Id);
                    newOrChanged.Remove(result.Id);
                }
                else
                {
                    newOrChanged.Remove(result.Id);
                    newOrChanged[result.Id] = batch[i].Advisory;
                }
            }
            batch.Clear();
        }

        foreach (var source in sources)
        {
            ct.ThrowIfCancellationRequested();
            byte[]? bytes;
            string? failure;
            try
            {
                (bytes, failure) = await source.Read(ct);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                (bytes, failure) = (null, $"unreadable: {e.Message}");
            }
            if (bytes is null)
            {
                failures.Add(new ImportFailure(source.Name, failure ?? "unreadable"));
                continue;
            }

            OsvAdvisory advisory;
            try
            {
                advisory = OsvParser.Parse(bytes);
            }
            catch (OsvParseException e)
            {
                failures.Add(new ImportFailure(source.Name, e.Message));
                continue;
            }
            batch.Add((advisory, DecodeUtf8(bytes)));
            if (batch.Count >= options.BatchSize) await FlushAsync();
        }
        await FlushAsync();

        return new ImportResult
        {
            Added = counts.GetValueOrDefault(AdvisoryChange.New),
            Changed = counts.GetValueOrDefault(AdvisoryChange.Changed),
            MetadataChanged = counts.GetValueOrDefault(AdvisoryChange.MetadataChanged),
            Unchanged = counts.GetValueOrDefault(AdvisoryChange.Unchanged),
            Failures = failures,
            NewOrChanged = newOrChanged.Values.ToList(),
            Withdrawn = withdrawn.Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    private static string DecodeUtf8(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[Encoding.UTF8.Preamble.Length..];
        return Encoding.UTF8.GetString(span);
    }
}
