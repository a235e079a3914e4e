using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Cli.Tests;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1) laid out like osv.dev's bucket: per ecosystem <c>/ECO/all.zip</c> (with an ETag,
/// 304 on a matching If-None-Match), <c>/ECO/modified_id.csv</c> (newest first, from each record's "modified") and
/// <c>/ECO/ID.json</c>. Records are put in by the test; a path can be made to fail with a status. Every request is logged.
/// </summary>
public sealed class OsvMirror : IAsyncDisposable
{
    public sealed record Request(string Path, int Status, string? IfNoneMatch);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> ecosystems = new();
    private readonly ConcurrentDictionary<string, int> failures = new();
    private readonly ConcurrentDictionary<string, bool> withoutCsv = new();
    private readonly ConcurrentDictionary<string, string> redirects = new();
    private readonly ConcurrentDictionary<string, byte[]> files = new();
    private readonly WebApplication app;

    private OsvMirror(WebApplication app) => this.app = app;

    public ConcurrentQueue<Request> Requests { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<OsvMirror> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var mirror = new OsvMirror(app);
        app.MapGet("/{ecosystem}/{file}", mirror.Serve);
        await app.StartAsync();
        mirror.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return mirror;
    }

    public string AllZipUrl(string ecosystem) => new Uri(BaseAddress, $"/{ecosystem}/all.zip").AbsoluteUri;

    /// <summary>Serves this OSV record (its id and "modified" read from it) in the ecosystem's files.</summary>
    public void Put(string ecosystem, string json)
    {
        var id = (string)JsonNode.Parse(json)!["id"]!;
        ecosystems.GetOrAdd(ecosystem, _ => new())[id] = json;
    }

    /// <summary>Rewrites a served record: its summary and "modified" (a metadata-only change).</summary>
    public void Touch(string ecosystem, string id, string modified, string summary)
    {
        var record = JsonNode.Parse(ecosystems[ecosystem][id])!.AsObject();
        record["modified"] = modified;
        record["summary"] = summary;
        ecosystems[ecosystem][id] = record.ToJsonString();
    }

    /// <summary>Serves a native feed document at /files/NAME, with an ETag of its content.</summary>
    public void PutFile(string name, byte[] bytes) => files[name] = bytes;

    public string FileUrl(string name) => new Uri(BaseAddress, "/files/" + name).AbsoluteUri;

    public void FailWith(string path, int status) => failures[path] = status;

    public void Recover(string path) => failures.TryRemove(path, out _);

    /// <summary>Answers the path with 302 Found to <paramref name="location"/>.</summary>
    public void Redirect(string path, string location) => redirects[path] = location;

    /// <summary>The ecosystem publishes no modified_id.csv (404): only the all.zip, fetched conditionally.</summary>
    public void WithoutModifiedIds(string ecosystem) => withoutCsv[ecosystem] = true;

    public IReadOnlyList<Request> TakeRequests()
    {
        var taken = new List<Request>();
        while (Requests.TryDequeue(out var r)) taken.Add(r);
        return taken;
    }

    private IResult Serve(string ecosystem, string file, HttpContext context)
    {
        var (status, result) = Answer(ecosystem, file, context);
        Requests.Enqueue(new Request(context.Request.Path, status, context.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } tag ? tag : null));
        return result;
    }

    private (int, IResult) Answer(string ecosystem, string file, HttpContext context)
    {
        if (failures.TryGetValue(context.Request.Path, out var failure)) return (failure, Results.StatusCode(failure));
        if (redirects.TryGetValue(context.Request.Path, out var location)) return (302, Results.Redirect(location));
        if (ecosystem == "files") return files.TryGetValue(file, out var document) ? Conditional(document, "application/json", context) : (404, Results.NotFound());
        if (!ecosystems.TryGetValue(ecosystem, out var records)) return (404, Results.NotFound());
        if (file == "modified_id.csv")
        {
            if (withoutCsv.ContainsKey(ecosystem)) return (404, Results.NotFound());
            var lines = records.Values.Select(j => JsonNode.Parse(j)!).Select(r => ((string)r["modified"]!, (string)r["id"]!))
                .OrderByDescending(l => DateTimeOffset.Parse(l.Item1, System.Globalization.CultureInfo.InvariantCulture)).Select(l => $"{l.Item1},{l.Item2}\n");
            return (200, Results.Text(string.Concat(lines), "text/csv"));
        }
        if (file == "all.zip") return Conditional(Zip(records), "application/zip", context);
        return file.EndsWith(".json", StringComparison.Ordinal) && records.TryGetValue(file[..^5], out var json)
            ? (200, Results.Text(json, "application/json"))
            : (404, Results.NotFound());
    }

    /// <summary>The bytes with their ETag, or 304 when the request's If-None-Match is that ETag.</summary>
    private static (int, IResult) Conditional(byte[] bytes, string contentType, HttpContext context)
    {
        var etag = $"\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag) return (304, Results.StatusCode(304));
        return (200, Results.Bytes(bytes, contentType));
    }

    private static byte[] Zip(IDictionary<string, string> records)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (id, json) in records.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                var entry = zip.CreateEntry(id + ".json");
                entry.LastWriteTime = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(json));
            }
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
