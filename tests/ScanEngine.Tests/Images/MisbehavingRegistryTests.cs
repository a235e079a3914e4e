using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// Registry behaviour the real docker-registry cannot be made to show: content that does not
/// match its digest, transient 5xx, stalls, refusals without a challenge, schema 1 manifests. A
/// small in-test HTTP server plays a misbehaving registry for these cases only; everything a real
/// registry does is tested against docker-registry in <see cref="RealRegistryTests"/>.
/// </summary>
public sealed class MisbehavingRegistryTests
{
    private const string Repository = "test/app";
    private static readonly Func<string, bool> Wants = _ => true;

    private static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
    // Stored (uncompressed) deflate blocks, so the honest and the forged layer have the same size.
    private static readonly byte[] Layer = LayerReaderTests.Gzip(LayerReaderTests.Tar(t => t.File("etc/hostname", "honest\n")), CompressionLevel.NoCompression).ToArray();
    private static readonly byte[] OtherLayer = LayerReaderTests.Gzip(LayerReaderTests.Tar(t => t.File("etc/hostname", "forged\n")), CompressionLevel.NoCompression).ToArray();

    private static byte[] Manifest(byte[] layer) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        schemaVersion = 2,
        mediaType = MediaTypes.OciManifest,
        config = new { mediaType = MediaTypes.OciConfig, digest = Digests.Sha256(Config), size = Config.Length },
        layers = new[] { new { mediaType = MediaTypes.OciLayerGzip, digest = Digests.Sha256(layer), size = layer.Length } },
    });

    /// <summary>Serves one honest image, with the given handler consulted first.</summary>
    private static Task<TestHttpServer> Registry(Func<HttpContext, Task<bool>>? misbehave = null) =>
        TestHttpServer.StartAsync(async context =>
        {
            if (misbehave is not null && await misbehave(context)) return;
            var path = context.Request.Path.Value!;
            var manifest = Manifest(Layer);
            if (path == "/v2/") { context.Response.StatusCode = 200; return; }
            if (path == $"/v2/{Repository}/manifests/v1" || path == $"/v2/{Repository}/manifests/{Digests.Sha256(manifest)}")
            {
                context.Response.ContentType = MediaTypes.OciManifest;
                await context.Response.Body.WriteAsync(manifest);
                return;
            }
            if (path == $"/v2/{Repository}/blobs/{Digests.Sha256(Config)}") { await context.Response.Body.WriteAsync(Config); return; }
            if (path == $"/v2/{Repository}/blobs/{Digests.Sha256(Layer)}") { await context.Response.Body.WriteAsync(Layer); return; }
            context.Response.StatusCode = 404;
        });

    private static ServiceProvider Services(TestHttpServer server, Action<RegistryHttpOptions>? configure = null) =>
        RegistryTestServices.Build([new RegistryOptions { Name = "fake", Url = server.Url.ToString() }], configure);

    [Test]
    public async Task The_honest_fake_serves_a_readable_image()
    {
        await using var server = await Registry();
        await using var services = Services(server);
        var image = await services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None);
        Assert.That(image.Files.Final.TryGet("etc/hostname", out var file), Is.True);
        Assert.That(Encoding.UTF8.GetString(file.Content), Is.EqualTo("honest\n"));
    }

    [Test]
    public async Task A_manifest_that_does_not_match_the_requested_digest_is_DigestMismatch()
    {
        var requested = Digests.Sha256(Manifest(Layer));
        await using var server = await Registry(async context =>
        {
            if (context.Request.Path != $"/v2/{Repository}/manifests/{requested}") return false;
            context.Response.ContentType = MediaTypes.OciManifest;
            await context.Response.Body.WriteAsync(Manifest(OtherLayer));
            return true;
        });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, requested, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.DigestMismatch));
        Assert.That(e.Message, Does.Contain(requested));
    }

    [Test]
    public async Task A_tag_whose_Docker_Content_Digest_header_lies_is_DigestMismatch()
    {
        await using var server = await Registry(async context =>
        {
            if (context.Request.Path != $"/v2/{Repository}/manifests/v1") return false;
            context.Response.ContentType = MediaTypes.OciManifest;
            context.Response.Headers["Docker-Content-Digest"] = Digests.Sha256(Manifest(OtherLayer));
            await context.Response.Body.WriteAsync(Manifest(Layer));
            return true;
        });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.DigestMismatch));
    }

    [Test]
    public async Task A_layer_whose_content_is_not_its_digest_is_DigestMismatch_not_a_forged_file()
    {
        // Same size, valid gzip and tar, different content: only the digest check can tell.
        Assert.That(OtherLayer, Has.Length.EqualTo(Layer.Length));
        await using var server = await Registry(async context =>
        {
            if (context.Request.Path != $"/v2/{Repository}/blobs/{Digests.Sha256(Layer)}") return false;
            await context.Response.Body.WriteAsync(OtherLayer);
            return true;
        });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.DigestMismatch));
        Assert.That(e.Message, Does.Contain(Digests.Sha256(Layer)));
    }

    [Test]
    public async Task A_blob_longer_than_its_descriptor_is_DigestMismatch()
    {
        await using var server = await Registry(async context =>
        {
            if (context.Request.Path != $"/v2/{Repository}/blobs/{Digests.Sha256(Layer)}") return false;
            await context.Response.Body.WriteAsync(Layer.Concat(new byte[100_000]).ToArray());
            return true;
        });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.DigestMismatch));
    }

    [Test]
    public async Task Transient_failures_are_retried_and_4xx_are_not()
    {
        var manifestCalls = 0;
        var blobCalls = 0;
        await using var server = await Registry(context =>
        {
            if (context.Request.Path == $"/v2/{Repository}/manifests/v1" && Interlocked.Increment(ref manifestCalls) <= 2)
            {
                context.Response.StatusCode = manifestCalls == 1 ? 503 : 429;
                return Task.FromResult(true);
            }
            if (context.Request.Path == $"/v2/{Repository}/blobs/{Digests.Sha256(Layer)}")
            {
                Interlocked.Increment(ref blobCalls);
            }
            return Task.FromResult(false);
        });
        await using var services = Services(server);
        var image = await services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None);
        Assert.That(image.Layers, Has.Count.EqualTo(1));
        Assert.That(manifestCalls, Is.EqualTo(3), "503 and 429 retried");
        Assert.That(blobCalls, Is.EqualTo(1));

        var missing = 0;
        await using var notFound = await TestHttpServer.StartAsync(context => { Interlocked.Increment(ref missing); context.Response.StatusCode = 404; return Task.CompletedTask; });
        await using var services404 = Services(notFound);
        var e = Assert.ThrowsAsync<ScanException>(() => services404.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
        Assert.That(missing, Is.EqualTo(1), "404 is not retried");
    }

    [Test]
    public async Task A_registry_failing_every_attempt_is_RegistryUnreachable()
    {
        var calls = 0;
        await using var server = await TestHttpServer.StartAsync(context => { Interlocked.Increment(ref calls); context.Response.StatusCode = 502; return Task.CompletedTask; });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.RegistryUnreachable));
        Assert.That(calls, Is.EqualTo(3), "first attempt and two retries");
    }

    [Test]
    public async Task A_stalled_blob_is_RegistryUnreachable()
    {
        await using var server = await Registry(async context =>
        {
            if (context.Request.Path != $"/v2/{Repository}/blobs/{Digests.Sha256(Layer)}") return false;
            context.Response.ContentLength = Layer.Length;
            await context.Response.Body.WriteAsync(Layer.AsMemory(0, 10));
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
            return true;
        });
        await using var services = Services(server, o => o.BlobReadIdleTimeout = TimeSpan.FromMilliseconds(500));
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.RegistryUnreachable));
        Assert.That(e.Message, Does.Contain("stalled"));
    }

    [Test]
    public async Task A_slow_but_steady_blob_outlives_the_request_timeouts()
    {
        // The pipeline's timeouts end when the response headers arrive; the body is streamed after
        // that and only the idle timeout applies, so a large blob on a slow link is not cut short.
        await using var server = await Registry(async context =>
        {
            if (context.Request.Path != $"/v2/{Repository}/blobs/{Digests.Sha256(Layer)}") return false;
            context.Response.ContentLength = Layer.Length;
            var chunk = (Layer.Length + 14) / 15;
            for (var offset = 0; offset < Layer.Length; offset += chunk)
            {
                await context.Response.Body.WriteAsync(Layer.AsMemory(offset, Math.Min(chunk, Layer.Length - offset)));
                await context.Response.Body.FlushAsync();
                await Task.Delay(100);
            }
            return true;
        });
        await using var services = Services(server, o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(500);
            o.TotalTimeout = TimeSpan.FromMilliseconds(700);
            o.BlobReadIdleTimeout = TimeSpan.FromSeconds(1);
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var image = await services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None);
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1)), "the body took longer than both timeouts");
        Assert.That(image.Files.Final.TryGet("etc/hostname", out _), Is.True);
    }

    [TestCase(401)]
    [TestCase(403)]
    public async Task A_refusal_without_a_usable_challenge_is_AccessDenied(int status)
    {
        await using var server = await TestHttpServer.StartAsync(context => { context.Response.StatusCode = status; return Task.CompletedTask; });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.AccessDenied));
    }

    [TestCase(MediaTypes.DockerSchema1Signed, "{\"schemaVersion\":1,\"name\":\"test/app\",\"tag\":\"v1\",\"fsLayers\":[]}", ScanFailureKind.UnsupportedMediaType)]
    [TestCase("application/vnd.example.unknown+json", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.unknown+json\"}", ScanFailureKind.UnsupportedMediaType)]
    [TestCase(MediaTypes.OciManifest, "not json", ScanFailureKind.UnsupportedImage)]
    [TestCase(MediaTypes.OciManifest, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:../../../etc/passwd\",\"size\":1},\"layers\":[]}", ScanFailureKind.UnsupportedImage)]
    public async Task Manifests_that_are_not_OCI_or_Docker_v2_are_refused(string contentType, string body, ScanFailureKind kind)
    {
        await using var server = await TestHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });
        await using var services = Services(server);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(kind));
    }

    [Test]
    public async Task An_oversized_manifest_is_refused()
    {
        await using var server = await TestHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = MediaTypes.OciManifest;
            await context.Response.Body.WriteAsync(new byte[64 * 1024]);
        });
        await using var services = Services(server, o => o.MaxManifestBytes = 16 * 1024);
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<IRegistryClientFactory>().For("fake").GetManifestAsync(Repository, "v1", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
    }
}
