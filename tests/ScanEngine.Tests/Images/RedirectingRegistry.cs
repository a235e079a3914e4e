using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using Microsoft.AspNetCore.Http;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// A registry that behaves like one in front of object storage, in three Kestrel servers on 127.0.0.1: the registry (addressed
/// as http://localhost:port, its configured host) answers with a Bearer challenge whose realm is <see cref="RealmUrl"/>, serves
/// manifests to a valid token and redirects every blob GET (307) to the blob store, addressed as http://127.0.0.1:port, another
/// host; the token service grants tokens to Basic credentials. Every server records the Authorization headers it received.
/// docker-registry cannot redirect filesystem blobs, hence the stand-in.
/// </summary>
internal sealed class RedirectingRegistry : IAsyncDisposable
{
    public const string Repository = "test/app";
    public const string User = "scanner";
    public const string Password = "redirect-s3cret";
    private const string Token = "granted-token";

    private static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
    private static readonly byte[] Layer = LayerReaderTests.Gzip(LayerReaderTests.Tar(t => t.File("etc/hostname", "behind a redirect\n")), CompressionLevel.Fastest).ToArray();

    private TestHttpServer registry = null!, blobs = null!, tokens = null!;

    public static byte[] Manifest() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        schemaVersion = 2,
        mediaType = MediaTypes.OciManifest,
        config = new { mediaType = MediaTypes.OciConfig, digest = Digests.Sha256(Config), size = Config.Length },
        layers = new[] { new { mediaType = MediaTypes.OciLayerGzip, digest = Digests.Sha256(Layer), size = Layer.Length } },
    });

    /// <summary>Where the Bearer challenge sends the client for a token; the token server's own URL unless a test changes it.</summary>
    public Uri RealmUrl { get; set; } = null!;

    /// <summary>Where blob GETs are redirected to; the blob store unless a test changes it.</summary>
    public Func<string, Uri> BlobLocation { get; set; } = null!;

    /// <summary>The registry's configured URL: localhost, so 127.0.0.1 is another host.</summary>
    public Uri Url => new($"http://localhost:{registry.Url.Port}/");

    public Uri BlobStoreUrl => blobs.Url;
    public Uri TokenServerUrl => tokens.Url;

    public ConcurrentQueue<(string Path, string? Authorization)> RegistryRequests { get; } = new();
    public ConcurrentQueue<(string Path, string? Authorization)> BlobRequests { get; } = new();
    public ConcurrentQueue<(string Path, string? Authorization)> TokenRequests { get; } = new();

    public static async Task<RedirectingRegistry> StartAsync()
    {
        var r = new RedirectingRegistry();
        r.tokens = await TestHttpServer.StartAsync(r.TokenAsync);
        r.blobs = await TestHttpServer.StartAsync(r.BlobAsync);
        r.registry = await TestHttpServer.StartAsync(r.RegistryAsync);
        r.RealmUrl = new Uri($"http://localhost:{r.tokens.Url.Port}/token");
        r.BlobLocation = digest => new Uri(r.blobs.Url, $"/blobs/{digest}?signature=abc");
        return r;
    }

    public RegistryOptions Options(params string[] tokenRealmHosts) => new()
    {
        Name = "redirecting", Url = Url.ToString(), Username = User, Password = Password, TokenRealmHosts = [.. tokenRealmHosts],
    };

    private static string? AuthorizationOf(HttpContext context) =>
        context.Request.Headers.Authorization.ToString() is { Length: > 0 } value ? value : null;

    private async Task RegistryAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        RegistryRequests.Enqueue((path, AuthorizationOf(context)));
        if (AuthorizationOf(context) != "Bearer " + Token)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{RealmUrl}\",service=\"redirecting\",scope=\"repository:{Repository}:pull\"";
            return;
        }
        var manifest = Manifest();
        if (path == $"/v2/{Repository}/manifests/v1" || path == $"/v2/{Repository}/manifests/{Digests.Sha256(manifest)}")
        {
            context.Response.ContentType = MediaTypes.OciManifest;
            await context.Response.Body.WriteAsync(manifest);
            return;
        }
        if (path.StartsWith($"/v2/{Repository}/blobs/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = BlobLocation(path[(path.LastIndexOf('/') + 1)..]).ToString();
            return;
        }
        context.Response.StatusCode = 404;
    }

    private async Task BlobAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        BlobRequests.Enqueue((path, AuthorizationOf(context)));
        var digest = path[(path.LastIndexOf('/') + 1)..];
        var blob = digest == Digests.Sha256(Config) ? Config : digest == Digests.Sha256(Layer) ? Layer : null;
        if (blob is null) { context.Response.StatusCode = 404; return; }
        await context.Response.Body.WriteAsync(blob);
    }

    private async Task TokenAsync(HttpContext context)
    {
        TokenRequests.Enqueue((context.Request.Path.Value!, AuthorizationOf(context)));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        if (AuthorizationOf(context) != expected) { context.Response.StatusCode = 401; return; }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"token":"{{Token}}","expires_in":300}""");
    }

    public async ValueTask DisposeAsync()
    {
        await registry.DisposeAsync();
        await blobs.DisposeAsync();
        await tokens.DisposeAsync();
    }
}
