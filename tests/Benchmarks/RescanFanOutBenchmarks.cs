using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Benchmarks;

/// <summary>
/// The re-scan fan-out at scale: a 10,000-image ENHANCED/CONTINUOUS_SCAN catalog (real inventories from the corpus, about
/// 3.1 million index rows) in the real SQLite ScanRouter store, one advisory whose package 1 % of the images hold. Measured: from
/// publishing NewCveAdded on an in-memory bus to the last of the 100 RESCAN commands arriving at the enhanced-rescanner queue,
/// through the real NewCveAddedConsumer and the router's outbox. Baseline: what a re-pulling scanner does at the least for the same 100 images, fetching
/// each one's manifest and blobs (the real Debian rootfs layer) from a real docker-registry, before any inventory work.
/// </summary>
public class RescanFanOutBenchmarks
{
    private const int Images = 10_000;
    private const int AffectedEvery = 100;
    private const string Registry = "bench";

    private string _directory = "";
    private IHost _host = null!;
    private IBus _bus = null!;
    private RescanArrivals _arrivals = null!;
    private NewCveAdded _advisory = null!;
    private int _affected;
    private BenchmarkInputs _layer = null!;
    private RegistryServer _registry = null!;
    private HttpClient _http = null!;
    private string _manifestPath = "";
    private List<string> _blobPaths = [];

    /// <summary>Counts RESCAN commands arriving at the re-scan queue; completes when the expected number is in.</summary>
    public sealed class RescanArrivals
    {
        private int _remaining;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Expect(int count)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _remaining, count);
            return _done.Task;
        }

        public void Arrived()
        {
            if (Interlocked.Decrement(ref _remaining) == 0) _done.TrySetResult();
        }
    }

    public sealed class RescanArrivalConsumer(RescanArrivals arrivals) : IConsumer<ScanImage>
    {
        public Task Consume(ConsumeContext<ScanImage> context)
        {
            arrivals.Arrived();
            return Task.CompletedTask;
        }
    }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("imagescanning-bench-rescan-").FullName;
        // The real ScanRouter wiring (its stores in one SQLite database, its outbox), on the in-memory bus.
        _arrivals = new RescanArrivals();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory, DisableDefaults = true });
        builder.Configuration["Storage:DataDirectory"] = _directory;
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(_arrivals);
        builder.AddScanRouter();
        builder.AddMessaging(x =>
        {
            x.AddConsumer<NewCveAddedConsumer, NewCveAddedConsumerDefinition>();
            x.AddConsumer<RescanArrivalConsumer>().Endpoint(e => e.Name = QueueNames.EnhancedRescanner);
        });
        _host = builder.Build();
        var catalog = _host.Services.GetRequiredService<IImageCatalogStore>();
        var index = (SqlitePackageIndexStore)_host.Services.GetRequiredService<IPackageIndexStore>();
        await _host.Services.GetRequiredService<IScanningConfigurationStore>().PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]));

        // The advisory's package: a crate only syft's Cargo.lock holds; every 100th image carries that lock file.
        var operatingSystems = RescanCatalog.OperatingSystems();
        var applications = RescanCatalog.Applications();
        var marked = applications.Single(a => a.Name == "syft");
        var others = applications.Where(a => a != marked).ToList();
        var package = marked.Packages.Except(others.SelectMany(o => o.Packages)).OrderBy(k => k.Name, StringComparer.Ordinal).First();
        _advisory = new NewCveAdded("BENCH-0001", [], [new AffectedPackageRef(package.Ecosystem, package.Name)], DateTimeOffset.UtcNow);

        var now = DateTimeOffset.UtcNow;
        var entries = new List<(ImageKey, IReadOnlyCollection<ImagePackageKey>)>(Images);
        long rows = 0;
        for (var i = 0; i < Images; i++)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)));
            var repository = $"team{i % 50}/app{i % 400}";
            await catalog.UpsertImageAsync(new ImageRecord(Registry, repository, digest, [], "application/vnd.oci.image.manifest.v1+json",
                now.AddDays(-1), null, ScanStatus.COMPLETE, "done", Guid.NewGuid(), null, now.AddDays(-1)));
            var application = i % AffectedEvery == 0 ? marked : others[i % others.Count];
            var keys = operatingSystems[i % operatingSystems.Count].Packages.Concat(application.Packages).ToHashSet();
            rows += keys.Count;
            entries.Add((new ImageKey(Registry, repository, digest), keys));
        }
        await index.ReplaceImagePackagesAsync(entries);
        _affected = (await index.FindImagesHoldingAsync([package])).Count;
        Console.WriteLine($"// Catalog: {Images:N0} images, {rows:N0} index rows; advisory package {package.Ecosystem}/{package.Name} held by {_affected} images");

        await _host.StartAsync();
        _bus = _host.Services.GetRequiredService<IBus>();

        _layer = BenchmarkInputs.CreateLayer();
        _registry = await RegistryServer.StartAsync();
        var layerBytes = await File.ReadAllBytesAsync(_layer.Layer);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = await TestImages.PushBlobAsync(_registry, "bench/app", config);
        var layerDigest = await TestImages.PushBlobAsync(_registry, "bench/app", layerBytes);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layerDigest, ["size"] = layerBytes.Length }),
        };
        var manifestDigest = await TestImages.PutManifestAsync(_registry, "bench/app", "v1", "application/vnd.oci.image.manifest.v1+json",
            Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        _manifestPath = $"/v2/bench/app/manifests/{manifestDigest}";
        _blobPaths = [$"/v2/bench/app/blobs/{configDigest}", $"/v2/bench/app/blobs/{layerDigest}"];
        _http = new HttpClient { BaseAddress = _registry.Url };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _layer.Dispose();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Re-pull: manifest + blobs of each affected image from docker-registry")]
    public long RePullEachAffectedImage() => RePullAsync().GetAwaiter().GetResult();

    private async Task<long> RePullAsync()
    {
        long bytes = 0;
        var buffer = new byte[1 << 16];
        for (var i = 0; i < _affected; i++)
        {
            foreach (var path in _blobPaths.Prepend(_manifestPath))
            {
                using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await using var stream = await response.Content.ReadAsStreamAsync();
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0) bytes += read;
            }
        }
        return bytes;
    }

    [Benchmark(Description = "Fan-out: NewCveAdded to every RESCAN on the re-scan queue (10,000-image catalog)")]
    public void FanOut() => FanOutAsync().GetAwaiter().GetResult();

    private async Task FanOutAsync()
    {
        var done = _arrivals.Expect(_affected);
        await _bus.Publish(_advisory);
        if (await Task.WhenAny(done, Task.Delay(TimeSpan.FromMinutes(2))) != done)
            throw new TimeoutException("Not every re-scan arrived within 2 minutes.");
    }
}
