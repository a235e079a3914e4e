using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.Scanner.Support;

/// <summary>
/// A registry on 127.0.0.1 (Kestrel) that serves one image built in the test from crafted bytes: an OCI manifest, its config and
/// the given layer blobs (all addressed by their real sha256), and counts the GETs of every blob. docker-registry would store the
/// same bytes, but cannot say how often a blob was fetched.
/// </summary>
internal sealed class CraftedRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _fetches;

    private CraftedRegistry(WebApplication app, Uri url, string manifestDigest, IReadOnlyList<string> layers, ConcurrentDictionary<string, int> fetches)
    {
        _app = app;
        Url = url;
        ManifestDigest = manifestDigest;
        Layers = layers;
        _fetches = fetches;
    }

    public Uri Url { get; }
    public string ManifestDigest { get; }
    public IReadOnlyList<string> Layers { get; }

    /// <summary>GETs of a blob (config or layer) so far.</summary>
    public int FetchesOf(string digest) => _fetches.GetValueOrDefault(digest);

    public int BlobFetches => _fetches.Values.Sum();

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <param name="layers">Each layer's bytes, served as gzip-compressed tar layers; the same bytes may be listed many times.</param>
    public static async Task<CraftedRegistry> StartAsync(string repository, IReadOnlyList<byte[]> layers)
    {
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var blobs = new Dictionary<string, byte[]> { [Sha256(config)] = config };
        foreach (var layer in layers) blobs[Sha256(layer)] = layer;
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new { mediaType = "application/vnd.oci.image.config.v1+json", digest = Sha256(config), size = config.Length },
            ["layers"] = layers.Select(l => new { mediaType = "application/vnd.oci.image.layer.v1.tar+gzip", digest = Sha256(l), size = l.Length }).ToList(),
        });
        var manifestDigest = Sha256(manifest);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fetches = new ConcurrentDictionary<string, int>();
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path == "/v2/" || path == "/v2")
            {
                context.Response.StatusCode = 200;
                return;
            }
            if (path.StartsWith($"/v2/{repository}/manifests/", StringComparison.Ordinal))
            {
                context.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
                context.Response.Headers["Docker-Content-Digest"] = manifestDigest;
                context.Response.ContentLength = manifest.Length;
                if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(manifest, context.RequestAborted);
                return;
            }
            var blobPrefix = $"/v2/{repository}/blobs/";
            if (path.StartsWith(blobPrefix, StringComparison.Ordinal) && blobs.TryGetValue(path[blobPrefix.Length..], out var blob))
            {
                if (HttpMethods.IsGet(context.Request.Method)) fetches.AddOrUpdate(path[blobPrefix.Length..], 1, (_, n) => n + 1);
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers["Docker-Content-Digest"] = path[blobPrefix.Length..];
                context.Response.ContentLength = blob.Length;
                try
                {
                    if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(blob, context.RequestAborted);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    // The scanner stopped reading a hostile layer: what the tests expect.
                }
                return;
            }
            context.Response.StatusCode = 404;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CraftedRegistry(app, new Uri(address + "/"), manifestDigest, layers.Select(Sha256).ToList(), fetches);
    }

    public async ValueTask DisposeAsync()
    {
        using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(soon.Token);
        await _app.DisposeAsync();
    }
}
