using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>
/// A real HTTP feed server on 127.0.0.1 (Kestrel) for the feed tests: serves documents at /files/{name} with an ETag
/// and Last-Modified, answers 304 to a matching If-None-Match / If-Modified-Since, and can be told to fail (a status
/// code) or to serve a truncated copy. /nvd serves NVD CVE API 2.0 pages of the given items. Every request is logged.
/// </summary>
public sealed class FeedServer : IAsyncDisposable
{
    private sealed record Document(byte[] Bytes, string ETag, DateTimeOffset LastModified, int? FailWith, bool Truncate, TimeSpan Stall = default, bool Chunked = false);

    private readonly ConcurrentDictionary<string, Document> documents = new();
    private readonly ConcurrentDictionary<string, string> redirects = new();
    private readonly WebApplication app;
    private IReadOnlyList<string> nvdItems = [];

    public sealed record Request(string Path, string Query, int Status, string? IfNoneMatch, string? IfModifiedSince, string? ApiKey);

    public ConcurrentQueue<Request> Requests { get; } = new();

    private FeedServer(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FeedServer(app);
        app.MapGet("/files/{name}", server.Serve);
        app.MapGet("/nvd", server.ServeNvd);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public string UrlOf(string name) => new Uri(BaseAddress, "/files/" + name).ToString();

    public string NvdUrl => new Uri(BaseAddress, "/nvd").ToString();

    /// <summary>Serves these bytes at /files/{name}, with a new ETag and Last-Modified.</summary>
    public void Put(string name, byte[] bytes, DateTimeOffset lastModified) =>
        documents[name] = new Document(bytes, $"\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}\"", lastModified, null, false);

    /// <summary>Answers /files/{name} with a 302 to <paramref name="location"/>.</summary>
    public void Redirect(string name, string location) => redirects[name] = location;

    public void FailWith(string name, int status) => documents[name] = documents.GetValueOrDefault(name, new Document([], "\"x\"", DateTimeOffset.UnixEpoch, null, false)) with { FailWith = status };

    /// <summary>Serves the first half of the document (with a matching Content-Length) under a new ETag.</summary>
    public void Truncate(string name) => documents[name] = documents[name] with { Truncate = true, ETag = "\"truncated\"" };

    /// <summary>Serves the document without a Content-Length (chunked), so only the bytes themselves tell its size.</summary>
    public void Chunk(string name) => documents[name] = documents[name] with { Chunked = true };

    /// <summary>Answers requests for the document only after this long (a hung server).</summary>
    public void Stall(string name, TimeSpan delay) => documents[name] = documents[name] with { Stall = delay, FailWith = null };

    /// <summary>The NVD API answers with these `vulnerabilities` items, paged by startIndex/resultsPerPage.</summary>
    public void SetNvdItems(IReadOnlyList<string> itemsJson) => nvdItems = itemsJson;

    public int Count(string path, int status) => Requests.Count(r => r.Path == path && r.Status == status);

    private async Task<IResult> Serve(string name, HttpContext context)
    {
        if (documents.TryGetValue(name, out var stalled) && stalled.Stall > TimeSpan.Zero)
        {
            try { await Task.Delay(stalled.Stall, context.RequestAborted); }
            catch (OperationCanceledException) { Log(context, 499); return Results.Empty; }
        }
        var status = Status(name, context, out var result);
        Log(context, status);
        return result;
    }

    private int Status(string name, HttpContext context, out IResult result)
    {
        if (redirects.TryGetValue(name, out var location)) { result = Results.Redirect(location); return 302; }
        if (!documents.TryGetValue(name, out var doc)) { result = Results.NotFound(); return 404; }
        if (doc.FailWith is { } code) { result = Results.StatusCode(code); return code; }
        var headers = context.Response.GetTypedHeaders();
        var requestHeaders = context.Request.GetTypedHeaders();
        var notModified = requestHeaders.IfNoneMatch.Count > 0
            ? requestHeaders.IfNoneMatch.Any(t => t.Tag == doc.ETag)
            : requestHeaders.IfModifiedSince is { } since && doc.LastModified <= since;
        headers.ETag = new EntityTagHeaderValue(doc.ETag);
        headers.LastModified = doc.LastModified;
        if (notModified) { result = Results.StatusCode(304); return 304; }
        var bytes = doc.Truncate ? doc.Bytes[..(doc.Bytes.Length / 2)] : doc.Bytes;
        result = doc.Chunked
            ? Results.Stream(async body => await body.WriteAsync(bytes), "application/octet-stream")
            : Results.Bytes(bytes, "application/octet-stream");
        return 200;
    }

    private IResult ServeNvd(HttpContext context, int startIndex = 0, int resultsPerPage = 2000)
    {
        Log(context, 200);
        var page = nvdItems.Skip(startIndex).Take(resultsPerPage);
        var json = $$"""
            {"resultsPerPage": {{Math.Min(resultsPerPage, Math.Max(0, nvdItems.Count - startIndex))}}, "startIndex": {{startIndex}},
             "totalResults": {{nvdItems.Count}}, "format": "NVD_CVE", "version": "2.0", "timestamp": "2026-11-28T05:00:00.000",
             "vulnerabilities": [{{string.Join(",", page)}}]}
            """;
        return Results.Text(json, "application/json");
    }

    private void Log(HttpContext context, int status) => Requests.Enqueue(new Request(
        context.Request.Path, context.Request.QueryString.Value ?? "", status,
        context.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } etag ? etag : null,
        context.Request.Headers.IfModifiedSince.ToString() is { Length: > 0 } since ? since : null,
        context.Request.Headers["apiKey"].ToString() is { Length: > 0 } key ? key : null));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
