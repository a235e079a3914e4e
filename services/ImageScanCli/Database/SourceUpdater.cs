using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.Cli.Database;

/// <summary>A source that could not be updated; the database keeps what it had from it.</summary>
public sealed class SourceUpdateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What updating one source did: a summary line, and the import when something was downloaded.</summary>
public sealed record UpdateOutcome(string Name, string Summary, ImportResult? Result);

/// <summary>
/// Updates the cache from one source, fetching only from that source's URL and the files beside it. An osv.dev-style ecosystem
/// (…/all.zip): the first update reads modified_id.csv (its newest timestamp becomes the watermark) and then all.zip; later ones
/// read modified_id.csv and fetch only the records modified after the watermark, as ID.json. Without a modified_id.csv (404), and
/// for any other URL, the file is fetched with If-None-Match of its last ETag. Everything is downloaded before anything is stored,
/// so a failed request leaves the database as it was.
/// </summary>
public sealed class SourceUpdater(HttpClient http, AdvisoryCache cache, IImportProgress progress, TimeProvider clock)
{
    /// <summary>Past this many changed records one all.zip is cheaper than as many requests.</summary>
    public const int MaxIncrementalRecords = 5000;

    public async Task<UpdateOutcome> UpdateAsync(UpdateSource source, CancellationToken ct)
    {
        var previous = await cache.Sources.GetAsync(source.Name, ct);
        // A source whose URL changed starts over: its watermark and ETag belong to the old URL.
        if (previous is not null && previous.Location != source.Url.AbsoluteUri) previous = null;
        var scratch = cache.CreateScratchDirectory();
        try
        {
            return source.IsOsvEcosystem
                ? await UpdateOsvEcosystemAsync(source, previous, scratch, ct)
                : await UpdateFileAsync(source, previous, scratch, ct);
        }
        catch (HttpRequestException e)
        {
            throw new SourceUpdateException($"{source.Name}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new SourceUpdateException($"{source.Name}: {source.Url} did not answer within {http.Timeout.TotalSeconds:0} s.", e);
        }
        catch (InvalidDataException e)
        {
            throw new SourceUpdateException($"{source.Name}: {e.Message}", e);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private async Task<UpdateOutcome> UpdateOsvEcosystemAsync(UpdateSource source, SourceRecord? previous, string scratch, CancellationToken ct)
    {
        var csvUrl = new Uri(source.Url, "modified_id.csv");
        var csv = await GetTextAsync(source.Name, csvUrl, ct);
        var entries = csv is null ? null : ModifiedIdCsv.Parse(csv, csvUrl.AbsoluteUri);
        var newest = entries is null ? null : ModifiedIdCsv.Newest(entries);

        if (previous?.Watermark is { } watermark && entries is not null)
        {
            var changed = ModifiedIdCsv.ChangedSince(entries, ModifiedIdCsv.ParseStamp(watermark));
            if (changed.Count == 0)
            {
                await cache.Sources.RecordUnchangedAsync(previous, newest, clock.GetUtcNow(), ct);
                return new UpdateOutcome(source.Name, $"{source.Name}: up to date (nothing in modified_id.csv after {watermark})", null);
            }
            if (changed.Count <= MaxIncrementalRecords)
            {
                foreach (var id in changed)
                {
                    var recordUrl = new Uri(source.Url, Uri.EscapeDataString(id) + ".json");
                    await DownloadAsync(source.Name, recordUrl, Path.Combine(scratch, SafeFileName(id) + ".json"), null, ct);
                }
                return await ImportAsync(source, "osv-ecosystem", scratch, incremental: true, previous.ETag, newest, $"{changed.Count} changed since {watermark}", ct);
            }
        }

        var zip = Path.Combine(scratch, "all.zip");
        var download = await DownloadAsync(source.Name, source.Url, zip, previous?.ETag, ct);
        if (download.NotModified)
        {
            await cache.Sources.RecordUnchangedAsync(previous!, newest, clock.GetUtcNow(), ct);
            return new UpdateOutcome(source.Name, $"{source.Name}: all.zip not modified (ETag {previous!.ETag})", null);
        }
        return await ImportAsync(source, "osv-ecosystem", zip, incremental: false, download.ETag, newest, "all.zip", ct);
    }

    private async Task<UpdateOutcome> UpdateFileAsync(UpdateSource source, SourceRecord? previous, string scratch, CancellationToken ct)
    {
        var name = Path.GetFileName(source.Url.AbsolutePath);
        var file = Path.Combine(scratch, SafeFileName(name.Length > 0 ? name : "feed"));
        var download = await DownloadAsync(source.Name, source.Url, file, previous?.ETag, ct);
        if (download.NotModified)
        {
            await cache.Sources.RecordUnchangedAsync(previous!, null, clock.GetUtcNow(), ct);
            return new UpdateOutcome(source.Name, $"{source.Name}: not modified (ETag {previous!.ETag})", null);
        }
        return await ImportAsync(source, null, file, incremental: false, download.ETag, null, name, ct);
    }

    private async Task<UpdateOutcome> ImportAsync(UpdateSource source, string? kind, string path, bool incremental, string? etag, string? watermark, string what, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        var import = (await cache.Importer(progress).ImportAsync([path], ct, [source.Name]))[0];
        await cache.Sources.RecordImportAsync(source.Name, kind ?? import.Kind.Name, source.Url.AbsoluteUri, import.Result,
            import.RecordsRead, incremental, etag, watermark, clock.GetUtcNow(), ct);
        return new UpdateOutcome(source.Name, ImportSummary.Line($"{source.Name} ({what})", import.Result, elapsed.Elapsed), import.Result);
    }

    /// <summary>A GET's outcome: 304 to our If-None-Match, or the file written with the ETag it came with.</summary>
    private sealed record Download(bool NotModified, string? ETag);

    /// <summary>GETs <paramref name="url"/> into <paramref name="file"/>, conditionally when an ETag is known.</summary>
    private async Task<Download> DownloadAsync(string source, Uri url, string file, string? etag, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotModified && etag is not null) return new Download(true, etag);
        EnsureSuccess(source, url, response);
        await using (var output = File.Create(file))
            await response.Content.CopyToAsync(output, ct);
        return new Download(false, response.Headers.ETag?.ToString());
    }

    /// <summary>The text at <paramref name="url"/>, or null when the server has none (404).</summary>
    private async Task<string?> GetTextAsync(string source, Uri url, CancellationToken ct)
    {
        using var response = await http.GetAsync(url, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(source, url, response);
        return await response.Content.ReadAsStringAsync(ct);
    }

    private static void EnsureSuccess(string source, Uri url, HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new SourceUpdateException($"{source}: GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
    }

    private static string SafeFileName(string name) => string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
}
