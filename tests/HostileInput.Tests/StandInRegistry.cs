using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.HostileInput.Tests;

/// <summary>
/// A registry stand-in on 127.0.0.1 (Kestrel, in the test process) speaking enough of the OCI distribution API for `imagescan`
/// to pull one image: /v2/, manifests by tag or digest, blobs by digest. One blob may be served by a hostile handler (slowly,
/// or as a redirect), which the real docker-registry cannot be made to do. A second listener, on 127.0.0.2, counts what reaches it.
/// </summary>
public sealed class StandInRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, (string MediaType, byte[] Content)> _manifests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private int _elsewhereRequests;

    public string HostPort { get; private set; } = "";

    /// <summary>The second listener, for redirect targets: "127.0.0.2:PORT".</summary>
    public string ElsewhereHostPort { get; private set; } = "";

    public int ElsewhereRequests => Volatile.Read(ref _elsewhereRequests);

    /// <summary>Serves one blob instead of the plain answer: (digest, context) → handled.</summary>
    public Func<string, HttpContext, Task<bool>>? HostileBlob { get; set; }

    private StandInRegistry(WebApplication app) => _app = app;

    public static async Task<StandInRegistry> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            // Another loopback address, not just another port: a redirect there leaves the registry's host.
            k.Listen(IPAddress.Parse("127.0.0.2"), 0);
        });
        var app = builder.Build();
        var registry = new StandInRegistry(app);
        app.Run(registry.HandleAsync);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        registry.HostPort = $"127.0.0.1:{addresses.Single(a => a.Host == "127.0.0.1").Port}";
        registry.ElsewhereHostPort = $"127.0.0.2:{addresses.Single(a => a.Host == "127.0.0.2").Port}";
        return registry;
    }

    public void AddManifest(string reference, string mediaType, byte[] content)
    {
        _manifests[reference] = (mediaType, content);
        _manifests[OciLayout.DigestOf(content)] = (mediaType, content);
    }

    public string AddBlob(byte[] content)
    {
        var digest = OciLayout.DigestOf(content);
        _blobs[digest] = content;
        return digest;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.Connection.LocalIpAddress?.ToString() == "127.0.0.2")
        {
            Interlocked.Increment(ref _elsewhereRequests);
            context.Response.StatusCode = 404;
            return;
        }
        if (path is "/v2/" or "/v2")
        {
            context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
            return;
        }
        var manifests = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
        if (manifests > 0 && _manifests.TryGetValue(path[(manifests + "/manifests/".Length)..], out var manifest))
        {
            await SendAsync(context, manifest.Content, manifest.MediaType, OciLayout.DigestOf(manifest.Content));
            return;
        }
        var blobs = path.LastIndexOf("/blobs/", StringComparison.Ordinal);
        if (blobs > 0)
        {
            var digest = path[(blobs + "/blobs/".Length)..];
            if (HostileBlob is { } hostile && await hostile(digest, context)) return;
            if (_blobs.TryGetValue(digest, out var blob))
            {
                await SendAsync(context, blob, "application/octet-stream", digest);
                return;
            }
        }
        context.Response.StatusCode = 404;
    }

    private static async Task SendAsync(HttpContext context, byte[] content, string mediaType, string digest)
    {
        context.Response.ContentType = mediaType;
        context.Response.ContentLength = content.Length;
        context.Response.Headers["Docker-Content-Digest"] = digest;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(content);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
