using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.ScanEngine.Advisories.Sources;

/// <summary>One converted advisory and the OSV JSON to store for it (what the store's reads return).</summary>
public sealed record NativeAdvisory(OsvAdvisory Advisory, string RawJson);

/// <summary>
/// What reading one native feed file gave: the feed's name ("debian-tracker", "alpine-secdb:v3.12"), the
/// advisories in a stable order (so a re-import is Unchanged), and the records that were skipped, with why.
/// </summary>
public sealed record NativeFeedResult(string Source, IReadOnlyList<NativeAdvisory> Advisories, IReadOnlyList<ImportFailure> Skipped);

/// <summary>A native (non-OSV) advisory feed converted to OSV records.</summary>
public interface INativeAdvisorySource
{
    /// <summary>The feed's name for logs and metrics, e.g. "debian-tracker".</summary>
    string Name { get; }

    /// <summary>Reads one feed file. Bad records are skipped into <see cref="NativeFeedResult.Skipped"/>; an unreadable file gives no advisories and one skip.</summary>
    Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default);
}

/// <summary>
/// A native feed format an ecosystem's vendor publishes: its name (CveFeed's upload <c>format</c>, the source kind
/// <see cref="UrlKind"/>, the CLI's import), what it is, its reader, and how to tell a document of it from the first
/// <see cref="HeadLength"/> characters of its (decompressed) text, so the CLI's <c>db import</c> needs no format flag.
/// </summary>
/// <param name="MergesFilesById">
/// The vendor splits one record over several files (Alpine: a secdb file per release and repository, a record per CVE across
/// them), so the files of a feed are read together and merged with <see cref="NativeFeed.MergeById"/> before they are stored.
/// </param>
/// <param name="DefaultUrl">Where the vendor publishes the whole feed as one document, for the CLI's default sources; null when it has no one place.</param>
public sealed record NativeFeedFormat(
    string Name, string Description, Func<INativeAdvisorySource> CreateReader, Func<string, bool> Recognizes, bool MergesFilesById = false,
    Uri? DefaultUrl = null)
{
    public const int HeadLength = 64 * 1024;

    /// <summary>The CveFeed source kind that fetches one document of this format from a URL ("debian-tracker-url").</summary>
    public string UrlKind => Name + "-url";
}

public static class NativeFeed
{
    /// <summary>
    /// The advisory as its OSV JSON and as parsed back from that JSON, so the in-memory record is exactly
    /// what the store will return for it.
    /// </summary>
    public static NativeAdvisory Materialize(OsvAdvisory advisory)
    {
        var json = OsvWriter.Write(advisory);
        return new NativeAdvisory(OsvParser.Parse(json), json);
    }

    /// <summary>
    /// Several files of one feed (every secdb release and repository) as one list: records with the same id are
    /// merged (affected entries of all files, the first file's other fields), so none replaces another's releases.
    /// </summary>
    public static NativeFeedResult MergeById(string source, IEnumerable<NativeFeedResult> feeds)
    {
        var merged = new SortedDictionary<string, OsvAdvisory>(StringComparer.Ordinal);
        var skipped = new List<ImportFailure>();
        foreach (var feed in feeds)
        {
            skipped.AddRange(feed.Skipped.Select(s => s with { Name = $"{feed.Source}: {s.Name}" }));
            foreach (var advisory in feed.Advisories.Select(a => a.Advisory))
                merged[advisory.Id] = merged.TryGetValue(advisory.Id, out var current)
                    ? current with { Affected = [.. current.Affected, .. advisory.Affected] }
                    : advisory;
        }
        var advisories = merged.Values.Select(a => Materialize(a with
        {
            Affected = a.Affected
                .OrderBy(x => x.Package?.Ecosystem, StringComparer.Ordinal)
                .ThenBy(x => x.Package?.Name, StringComparer.Ordinal)
                .ToList(),
        })).ToList();
        return new NativeFeedResult(source, advisories, skipped);
    }

    /// <summary>
    /// The feed as a seekable stream (a reader sniffs its compression from the first bytes): itself when it can seek, else a
    /// copy spooled to a temporary file, deleted on close (full vendor feeds are hundreds of MB: never held in memory).
    /// </summary>
    public static async Task<Stream> SeekableAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        if (feed.CanSeek) return new NonClosingStream(feed);
        var spool = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await feed.CopyToAsync(spool, ct);
            spool.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    /// <summary>A JSON object of string properties, for <c>ecosystem_specific</c> / <c>database_specific</c>.</summary>
    public static JsonElement StringObject(IEnumerable<KeyValuePair<string, string>> properties) =>
        JsonSerializer.SerializeToElement(properties.ToDictionary(p => p.Key, p => p.Value), SourcesJsonContext.Default.DictionaryStringString);

    /// <summary>
    /// Stores a converted feed the way <see cref="OsvImporter"/> stores OSV files, in batches, and reports the
    /// same <see cref="ImportResult"/> (skipped records are its failures), so CveFeed can publish and count it alike.
    /// </summary>
    public static async Task<ImportResult> StoreAsync(IAdvisoryStore store, NativeFeedResult feed, int batchSize = 1000, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(feed);
        var counts = new Dictionary<AdvisoryChange, int>();
        var newOrChanged = new List<OsvAdvisory>();
        var withdrawn = new List<string>();
        var failures = new List<ImportFailure>(feed.Skipped);
        foreach (var batch in feed.Advisories.Chunk(Math.Max(1, batchSize)))
        {
            var results = await store.UpsertManyAsync(batch.Select(a => (a.Advisory, a.RawJson)), ct);
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Change == AdvisoryChange.Rejected)
                {
                    failures.Add(new ImportFailure($"{feed.Source}: {results[i].Id}", results[i].Rejection ?? "rejected by the advisory store"));
                    continue;
                }
                counts[results[i].Change] = counts.GetValueOrDefault(results[i].Change) + 1;
                if (!results[i].AffectedDataChanged) continue;
                if (results[i].IsWithdrawn) withdrawn.Add(results[i].Id);
                else newOrChanged.Add(batch[i].Advisory);
            }
        }
        return new ImportResult
        {
            Added = counts.GetValueOrDefault(AdvisoryChange.New),
            Changed = counts.GetValueOrDefault(AdvisoryChange.Changed),
            MetadataChanged = counts.GetValueOrDefault(AdvisoryChange.MetadataChanged),
            Unchanged = counts.GetValueOrDefault(AdvisoryChange.Unchanged),
            Failures = failures,
            NewOrChanged = newOrChanged,
            Withdrawn = withdrawn,
        };
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SourcesJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The caller's stream, left open when this is disposed (the reader owns only what <see cref="NativeFeed.SeekableAsync"/> made).</summary>
internal sealed class NonClosingStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
