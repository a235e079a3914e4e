using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// The minimum throughput of blob downloads, against a registry (a small Kestrel server) that sends a blob a byte at a time, stalls
/// it, or sends it steadily. Windows are shortened to fractions of a second so each case ends in a few seconds.
/// </summary>
public sealed class BlobThroughputTests
{
    private const string Repository = "test/app";
    private static readonly Func<string, bool> Wants = _ => true;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(400);

    private static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");

    // 64 KiB that do not compress, stored: the blob is as large as its content, so the steady case spans several windows.
    private static readonly byte[] Layer = LayerReaderTests.Gzip(
        LayerReaderTests.Tar(t => { t.File("etc/hostname", "steady\n"); t.File("usr/share/noise", RandomBytes(64 * 1024)); }),
        CompressionLevel.NoCompression).ToArray();

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(11).NextBytes(bytes);
        return bytes;
    }

    private static readonly byte[] Manifest = JsonSerializer.SerializeToUtf8Bytes(new
    {
        schemaVersion = 2,
        mediaType = MediaTypes.OciManifest,
        config = new { mediaType = MediaTypes.OciConfig, digest = Digests.Sha256(Config), size = Config.Length },
        layers = new[] { new { mediaType = MediaTypes.OciLayerGzip, digest = Digests.Sha256(Layer), size = Layer.Length } },
    });

    /// <summary>How the registry sends one blob: the whole body, given the response.</summary>
    private delegate Task Sender(HttpResponse response, byte[] blob);

    private static async Task Trickle(HttpResponse response, byte[] blob)
    {
        for (var i = 0; i < blob.Length && !response.HttpContext.RequestAborted.IsCancellationRequested; i++)
        {
            await response.Body.WriteAsync(blob.AsMemory(i, 1));
            await response.Body.FlushAsync();
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private static async Task Stall(HttpResponse response, byte[] blob)
    {
        await response.Body.WriteAsync(blob.AsMemory(0, 10));
        await response.Body.FlushAsync();
        await Task.Delay(TimeSpan.FromSeconds(30), response.HttpContext.RequestAborted).ContinueWith(_ => { });
    }

    /// <summary>4 KiB every 50 ms, some 80 KB/s: far above the floor, even on a loaded machine.</summary>
    private static async Task Steady(HttpResponse response, byte[] blob)
    {
        for (var offset = 0; offset < blob.Length; offset += 4096)
        {
            await response.Body.WriteAsync(blob.AsMemory(offset, Math.Min(4096, blob.Length - offset)));
            await response.Body.FlushAsync();
            await Task.Delay(50);
        }
    }

    /// <summary>A registry serving one image; <paramref name="sender"/> sends the blob <paramref name="slowBlob"/>, the rest go at once.</summary>
    private static Task<TestHttpServer> Registry(byte[] slowBlob, Sender sender) =>
        TestHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            if (path == "/v2/") return;
            if (path == $"/v2/{Repository}/manifests/v1")
            {
                context.Response.ContentType = MediaTypes.OciManifest;
                await context.Response.Body.WriteAsync(Manifest);
                return;
            }
            foreach (var blob in new[] { Config, Layer })
            {
                if (path != $"/v2/{Repository}/blobs/{Digests.Sha256(blob)}") continue;
                context.Response.ContentLength = blob.Length;
                if (blob == slowBlob) await sender(context.Response, blob);
                else await context.Response.Body.WriteAsync(blob);
                return;
            }
            context.Response.StatusCode = 404;
        });

    private static ServiceProvider Services(TestHttpServer server, long minimumBytesPerSecond) =>
        RegistryTestServices.Build([new RegistryOptions { Name = "fake", Url = server.Url.ToString() }], null, o =>
        {
            o.MinimumThroughputBytesPerSecond = minimumBytesPerSecond;
            o.ThroughputWindow = Window;
        });

    private static async Task<(ScanException Error, TimeSpan Took)> ReadFailingAsync(TestHttpServer server, long minimumBytesPerSecond)
    {
        await using var services = Services(server, minimumBytesPerSecond);
        var clock = Stopwatch.StartNew();
        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None));
        return (e!, clock.Elapsed);
    }

    [Test]
    public async Task A_layer_sent_a_byte_at_a_time_fails_as_Timeout_naming_the_layer_and_its_rate()
    {
        await using var server = await Registry(Layer, Trickle);

        var (e, took) = await ReadFailingAsync(server, minimumBytesPerSecond: 4096);

        Assert.That(e.Kind, Is.EqualTo(ScanFailureKind.Timeout));
        Assert.That(e.Message, Does.Contain(Digests.Sha256(Layer)));
        Assert.That(e.Message, Does.Match(@"too slow: \d+(\.\d)? bytes/s \(\d+ bytes in [0-9.]+ s\), below the minimum of 4096 bytes/s over 0\.4 s"));
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(10)), "one window of waiting, not the whole blob at a byte per 20 ms (over 20 minutes)");
    }

    [Test]
    public async Task A_config_sent_a_byte_at_a_time_fails_too_every_blob_is_guarded()
    {
        await using var server = await Registry(Config, Trickle);

        var (e, _) = await ReadFailingAsync(server, minimumBytesPerSecond: 4096);

        Assert.That(e.Kind, Is.EqualTo(ScanFailureKind.Timeout));
        Assert.That(e.Message, Does.Contain(Digests.Sha256(Config)));
    }

    [Test]
    public async Task A_blob_that_stalls_completely_fails_as_Timeout_when_its_window_ends_not_at_the_idle_timeout()
    {
        await using var server = await Registry(Layer, Stall);

        var (e, took) = await ReadFailingAsync(server, minimumBytesPerSecond: 4096);

        Assert.That(e.Kind, Is.EqualTo(ScanFailureKind.Timeout), e.Message);
        Assert.That(e.Message, Does.Contain(Digests.Sha256(Layer)).And.Contain("10 bytes in"));
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(10)), "the read was cancelled at the window's end (the idle timeout is 2 minutes)");
    }

    [Test]
    public async Task A_large_blob_sent_steadily_above_the_floor_is_read_whole_over_several_windows()
    {
        await using var server = await Registry(Layer, Steady);
        await using var services = Services(server, minimumBytesPerSecond: 4096);

        var clock = Stopwatch.StartNew();
        var image = await services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None);

        Assert.That(clock.Elapsed, Is.GreaterThan(Window), "the download spanned more than one window");
        Assert.That(image.Files.Final.TryGet("etc/hostname", out var file), Is.True);
        Assert.That(Encoding.UTF8.GetString(file.Content), Is.EqualTo("steady\n"));
    }

    [Test]
    public async Task Without_a_floor_a_slow_blob_is_only_bound_by_the_idle_timeout()
    {
        // The stall outlives four windows; with the guard off only the idle timeout ends it, as RegistryUnreachable.
        await using var server = await Registry(Layer, Stall);
        await using var services = RegistryTestServices.Build([new RegistryOptions { Name = "fake", Url = server.Url.ToString() }],
            o => o.BlobReadIdleTimeout = 4 * Window, o => { o.MinimumThroughputBytesPerSecond = 0; o.ThroughputWindow = Window; });

        var e = Assert.ThrowsAsync<ScanException>(() => services.GetRequiredService<ImageReader>().ReadAsync("fake", Repository, "v1", Wants, CancellationToken.None));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.RegistryUnreachable));
        Assert.That(e.Message, Does.Contain("stalled"));
    }
}
