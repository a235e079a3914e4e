using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.Scanner.Support;

/// <summary>
/// A registry on 127.0.0.1 (Kestrel) in front of a real docker-registry: every request is answered with the real registry's
/// response, manifests and blobs alike, except that the blobs named in <c>slowDigests</c> are sent a byte every
/// <c>byteInterval</c>, or, with no interval, stall for good after their first bytes.
/// </summary>
internal sealed class TricklingRegistry : IAsyncDisposable
{
    private static readonly HttpClient Upstream = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly WebApplication _app;

    private TricklingRegistry(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Blob requests for the slow digests that reached this registry.</summary>
    public int SlowRequests => Volatile.Read(ref _slowRequests);

    private int _slowRequests;

    public static async Task<TricklingRegistry> StartAsync(Uri upstream, IReadOnlyCollection<string> slowDigests, TimeSpan? byteInterval)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TricklingRegistry? registry = null;
        app.Use(async (context, next) =>
        {
            try { await next(context); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TestContext.Progress.WriteLine($"Trickling registry failed on {context.Request.Path}: {e}");
                throw;
            }
        });
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(upstream, path.TrimStart('/') + context.Request.QueryString));
            foreach (var accept in context.Request.Headers.Accept) request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await Upstream.SendAsync(request, context.RequestAborted);
            var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var digest)) context.Response.Headers["Docker-Content-Digest"] = digest.First();
            context.Response.ContentLength = body.Length;
            var slow = path.Contains("/blobs/", StringComparison.Ordinal) && slowDigests.Any(d => path.EndsWith(d, StringComparison.Ordinal));
            if (!slow)
            {
                await context.Response.Body.WriteAsync(body, context.RequestAborted);
                return;
            }
            Interlocked.Increment(ref registry!._slowRequests);
            try
            {
                if (byteInterval is not { } interval)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(0, Math.Min(16, body.Length)), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    return;
                }
                for (var i = 0; i < body.Length; i++)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(i, 1), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(interval, context.RequestAborted);
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The scanner gave up on the blob: what the test expects.
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        registry = new TricklingRegistry(app, new Uri(address));
        return registry;
    }

    /// <summary>The layer digests of an image's manifest, read from the real registry.</summary>
    public static async Task<IReadOnlyList<string>> LayerDigestsAsync(Uri registry, string repository, string digest)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, $"v2/{repository}/manifests/{digest}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await Upstream.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var manifest = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        // Stalled responses would hold a graceful stop for its whole timeout: abort them soon.
        using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(soon.Token);
        await _app.DisposeAsync();
    }
}
