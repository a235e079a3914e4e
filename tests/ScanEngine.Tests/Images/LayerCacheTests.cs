using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>A shared layer is inventoried once: later images that hold it take it from the cache, and the registry sees no fetch.</summary>
[NonParallelizable]
public sealed class LayerCacheTests
{
    private const string Registry = "local";
    private static readonly Func<string, bool> Wants = p => p.StartsWith("etc/", StringComparison.Ordinal);

    private RegistryServer registry = null!;
    private ServiceProvider services = null!;
    private string work = null!;
    private PushedImage first = null!;
    private PushedImage second = null!;

    [OneTimeSetUp]
    public async Task PushOneImageToTwoRepositories()
    {
        registry = await RegistryServer.StartAsync();
        services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = registry.Url.ToString() });
        work = Directory.CreateTempSubdirectory("imagescanning-layer-cache-").FullName;
        var image = await TestImages.Builder()
            .Layer(r => r.WriteFile("etc/os-release", "ID=base\n"))
            .Layer(r => r.WriteFile("etc/app.conf", "app\n"))
            .BuildAsync("v1", Path.Combine(work, "image"));
        first = await TestImages.PushAsync(image, registry, "team/first", "v1");
        second = await TestImages.PushAsync(image, registry, "team/second", "v1");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await services.DisposeAsync();
        await registry.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Test]
    public async Task Layers_read_once_are_not_fetched_again_for_another_image_that_holds_them()
    {
        var reader = services.GetRequiredService<ImageReader>();
        var before = registry.LogPosition;
        var read1 = await reader.ReadAsync(Registry, first.Repository, first.Digest, Wants, CancellationToken.None, cacheScope: "test/1");
        var between = registry.LogPosition;
        var read2 = await reader.ReadAsync(Registry, second.Repository, second.Digest, Wants, CancellationToken.None, cacheScope: "test/1");
        await registry.SyncLogAsync(); // the registry writes its access log after each response

        var layerDigests = read1.Layers.Select(l => l.Digest).ToHashSet();
        var firstFetches = registry.Fetches(first.Repository, before).Where(r => layerDigests.Any(d => r.Path.EndsWith(d, StringComparison.Ordinal))).ToList();
        var secondFetches = registry.Fetches(second.Repository, between).Where(r => layerDigests.Any(d => r.Path.EndsWith(d, StringComparison.Ordinal))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(firstFetches, Has.Count.EqualTo(2), "the first image's two layers are streamed");
            Assert.That(read1.Layers.Select(l => l.Stats.FromCache), Is.All.False);
            Assert.That(secondFetches, Is.Empty, "the second image's layers come from the cache");
            Assert.That(read2.Layers.Select(l => l.Stats.FromCache), Is.All.True);
            Assert.That(read2.CompressedBytesRead, Is.Zero);
            Assert.That(read2.Files.Final.TryGet("etc/app.conf", out var conf), Is.True);
            Assert.That(conf.LayerDigest, Is.EqualTo(read1.Layers[1].Digest));
        });
    }

    [Test]
    public async Task A_different_scope_reads_the_layers_again_since_it_may_want_other_files()
    {
        var reader = services.GetRequiredService<ImageReader>();
        await reader.ReadAsync(Registry, first.Repository, first.Digest, Wants, CancellationToken.None, cacheScope: "test/a");
        var read = await reader.ReadAsync(Registry, first.Repository, first.Digest, _ => true, CancellationToken.None, cacheScope: "test/b");

        Assert.That(read.Layers.Select(l => l.Stats.FromCache), Is.All.False);
    }

    [Test]
    public void The_cache_evicts_the_least_recently_used_layers_beyond_its_byte_budget()
    {
        var cache = new MemoryLayerCache(maxBytes: 3 * 1024);
        static LayerFiles Layer(string digest) => new() { Digest = digest, Files = new Dictionary<string, byte[]> { ["etc/x"] = new byte[700] } };

        cache.Put("s", "sha256:a", Layer("sha256:a"));
        cache.Put("s", "sha256:b", Layer("sha256:b"));
        Assert.That(cache.TryGet("s", "sha256:a", out _), Is.True); // a is now the most recent
        cache.Put("s", "sha256:c", Layer("sha256:c"));
        cache.Put("s", "sha256:d", Layer("sha256:d"));

        Assert.Multiple(() =>
        {
            Assert.That(cache.TryGet("s", "sha256:b", out _), Is.False, "least recently used, evicted");
            Assert.That(cache.TryGet("s", "sha256:a", out _), Is.True);
            Assert.That(cache.TryGet("s", "sha256:d", out _), Is.True);
            Assert.That(cache.TryGet("other", "sha256:d", out _), Is.False, "scopes do not share entries");
            Assert.That(cache.Bytes, Is.LessThanOrEqualTo(3 * 1024));
        });
    }
}
