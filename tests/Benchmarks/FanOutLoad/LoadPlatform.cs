using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using ImageScanning.Contracts;
using ImageScanning.CveFeed.Extensions;
using ImageScanning.EnhancedScanner.Extensions;
using ImageScanning.Findings.Extensions;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>When each ScanCompleted arrived, by digest and trigger: the end of a push scan's or a re-scan's latency.</summary>
public sealed class CompletionLog
{
    private readonly ConcurrentDictionary<(string Digest, ScanTrigger Trigger), TaskCompletionSource<long>> _waiters = new();

    /// <summary>Completes with the Stopwatch timestamp of the image's next ScanCompleted for that trigger.</summary>
    public Task<long> Expect(string digest, ScanTrigger trigger)
    {
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[(digest, trigger)] = waiter;
        return waiter.Task;
    }

    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _scanned = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _announced = new();

    /// <summary>
    /// Completes with the Stopwatch timestamp at which the advisory's NewCveAdded reached a subscriber's queue (the fan-out's start).
    /// Call it before the import, so the event cannot arrive first.
    /// </summary>
    public Task<long> ExpectAnnounced(string vulnerabilityId)
    {
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _announced[vulnerabilityId] = waiter;
        return waiter.Task;
    }

    /// <summary>The bulk import announces 10,000 advisories nobody waits for: those are only looked up, not kept.</summary>
    public void Announced(NewCveAdded added)
    {
        var at = Stopwatch.GetTimestamp();
        if (_announced.TryRemove(added.VulnerabilityId, out var waiter)) waiter.TrySetResult(at);
    }

    private int _rescans;

    /// <summary>Completes with the Stopwatch timestamp of the image's next push-scan ImageScanned (the scanner's part done, Findings' not).</summary>
    public Task<long> ExpectPushScanned(string digest)
    {
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _scanned[digest] = waiter;
        return waiter.Task;
    }

    public void Scanned(ImageScanned scanned)
    {
        var at = Stopwatch.GetTimestamp();
        if (scanned.Trigger == ScanTrigger.PUSH && _scanned.TryRemove(scanned.Image.Digest, out var waiter)) waiter.TrySetResult(at);
    }

    /// <summary>Every RESCAN ScanCompleted so far, whether or not someone waits for it.</summary>
    public int RescansCompleted => Volatile.Read(ref _rescans);

    public void Completed(ScanCompleted completed)
    {
        var at = Stopwatch.GetTimestamp();
        if (completed.Trigger == ScanTrigger.RESCAN) Interlocked.Increment(ref _rescans);
        if (completed.Status != ScanStatus.COMPLETE)
            Console.Error.WriteLine($"// {completed.Trigger} scan of {completed.Image.Repository}@{completed.Image.Digest} ended {completed.Status}: {completed.FailureReason}");
        if (_waiters.TryRemove((completed.Image.Digest, completed.Trigger), out var waiter)) waiter.TrySetResult(at);
    }
}

/// <summary>Observes the platform's ScanCompleted events from a queue of its own, as any subscriber would.</summary>
public sealed class ScanCompletedObserver(CompletionLog log) : IConsumer<ScanCompleted>
{
    public Task Consume(ConsumeContext<ScanCompleted> context)
    {
        log.Completed(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Observes NewCveAdded too, as a subscriber would: the moment the fan-out's event is out, after the import stored it.</summary>
public sealed class NewCveAddedObserver(CompletionLog log) : IConsumer<NewCveAdded>
{
    public Task Consume(ConsumeContext<NewCveAdded> context)
    {
        log.Announced(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Observes ImageScanned too, to split a push scan's latency into router + scanner and Findings.</summary>
public sealed class ImageScannedObserver(CompletionLog log) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context)
    {
        log.Scanned(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The real ScanRouter, Enhanced scanner, CveFeed and Findings in one host, on MassTransit's in-memory bus (the standalone mode's
/// messaging, retries included) with their SQLite stores in a temporary directory, and the registry configured as "bench".
/// </summary>
public sealed class LoadPlatform : IAsyncDisposable
{
    public const string Registry = "bench";
    private readonly IHost _host;

    private LoadPlatform(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;
    public CompletionLog Completions => Services.GetRequiredService<CompletionLog>();
    public IBus Bus => Services.GetRequiredService<IBus>();
    public PushBreakdown Breakdown => Services.GetRequiredService<PushBreakdown>();

    public static async Task<LoadPlatform> StartAsync(string dataDirectory, Uri registryUrl)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = dataDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Messaging:Transport"] = "InMemory",
            ["Registries:0:Name"] = Registry,
            ["Registries:0:Url"] = registryUrl.ToString().TrimEnd('/'),
        });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<CompletionLog>();
        builder.Services.AddSingleton<PushBreakdown>();
        builder.Services.AddConsumeObserver(provider => provider.GetRequiredService<PushBreakdown>());
        builder.AddScanRouter().AddEnhancedScanner().AddCveFeed().AddFindings();
        builder.AddMessaging(bus =>
        {
            bus.AddScanRouterConsumers().AddEnhancedScannerConsumers().AddFindingsConsumers();
            bus.AddConsumer<ScanCompletedObserver>().Endpoint(e => e.Name = "fanout-load-observer");
            bus.AddConsumer<ImageScannedObserver>().Endpoint(e => e.Name = "fanout-load-observer");
            bus.AddConsumer<NewCveAddedObserver>().Endpoint(e => e.Name = "fanout-load-observer");
        });
        var host = builder.Build();
        await host.StartAsync();
        return new LoadPlatform(host);
    }

    /// <summary>
    /// The catalog a year of pushes would leave: an ENHANCED registry with one CONTINUOUS_SCAN rule, <paramref name="images"/> images
    /// pushed yesterday, each with its inventory in the scanners' IInventoryStore (current finder set, so a re-scan re-matches it)
    /// and its package keys in the router's reverse index. Every 100th image carries the marked inventory. Returns the marked digests.
    /// </summary>
    public async Task<IReadOnlyList<ImageKey>> SeedCatalogAsync(int images, IReadOnlyList<LoadInventory> marked, IReadOnlyList<LoadInventory> others)
    {
        var configurations = Services.GetRequiredService<IScanningConfigurationStore>();
        var catalog = Services.GetRequiredService<IImageCatalogStore>();
        var index = Services.GetRequiredService<IPackageIndexStore>();
        var inventories = Services.GetRequiredService<IInventoryStore>();
        var ecosystems = Services.GetServices<IEcosystem>().ToList();
        var version = Services.GetRequiredService<ImageScanner>().VersionFor(includeLanguagePackages: true);
        await configurations.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]));

        var keysOf = marked.Concat(others).ToDictionary(i => i.Name,
            i => ImagePackageKey.FromPackages(i.Packages.Select(p => p.ToRecord(i.Distribution, ecosystems))));
        var now = DateTimeOffset.UtcNow;
        var markedImages = new List<ImageKey>();
        var entries = new List<(ImageKey, IReadOnlyCollection<ImagePackageKey>)>(images);
        for (var i = 0; i < images; i++)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)));
            var repository = $"team{i % 50}/app{i % 400}";
            var inventory = i % 100 == 0 ? marked[i / 100 % marked.Count] : others[i % others.Count];
            await catalog.UpsertImageAsync(new ImageRecord(Registry, repository, digest, [], PushImages.ManifestMediaType,
                now.AddDays(-1), null, ScanStatus.COMPLETE, "done", Guid.NewGuid(), null, now.AddDays(-1)));
            await inventories.SaveAsync(new StoredInventory(Registry, repository, digest, version, inventory.Distribution, inventory.Packages,
                PushImages.ManifestMediaType, now.AddDays(-1)));
            var key = new ImageKey(Registry, repository, digest);
            entries.Add((key, keysOf[inventory.Name]));
            if (i % 100 == 0) markedImages.Add(key);
        }
        // The SQLite store's batch form writes the whole index in one transaction; the result is the same as one call per image.
        if (index is SqlitePackageIndexStore sqlite) await sqlite.ReplaceImagePackagesAsync(entries);
        else foreach (var (key, keys) in entries) await index.ReplaceImagePackagesAsync(key.Registry, key.Repository, key.Digest, keys);
        return markedImages;
    }

    public IReadOnlyCollection<ImagePackageKey> KeysOf(LoadInventory inventory)
    {
        var ecosystems = Services.GetServices<IEcosystem>().ToList();
        return ImagePackageKey.FromPackages(inventory.Packages.Select(p => p.ToRecord(inventory.Distribution, ecosystems)));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        if (_host is IAsyncDisposable disposable) await disposable.DisposeAsync(); else _host.Dispose();
    }
}
