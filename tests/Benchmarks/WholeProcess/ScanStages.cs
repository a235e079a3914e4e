using System.Diagnostics;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Local;
using ImageScanning.ScanEngine.Scanning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Benchmarks.WholeProcess;

/// <summary>
/// Where one scan's time goes, in this process, as <c>imagescan scan docker-archive:</c> does it (ScanCommand): open the cache's
/// store, read the archive (LocalImageReader), then the scanner's own stage timings (inventory: OS detection and every finder;
/// match: the advisory lookups and version comparisons). The first scan includes this process's JIT of that code (the
/// benchmark process is not ReadyToRun); the later ones are warm, what is left once code is compiled.
/// </summary>
public static class ScanStages
{
    public sealed record Sample(double OpenMs, double ReadMs, double InventoryMs, double MatchMs, int Packages, int Findings);

    public static async Task<IReadOnlyList<Sample>> MeasureAsync(string archive, string databasePath, int scans)
    {
        var samples = new List<Sample>();
        await using var services = new ServiceCollection().AddLogging().AddRegistryClients(new ConfigurationBuilder().Build()).BuildServiceProvider();
        for (var i = 0; i < scans; i++)
        {
            var clock = Stopwatch.StartNew();
            using var store = new SqliteAdvisoryStore(databasePath);
            var ecosystems = EcosystemCatalog.All();
            var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), store, ecosystems);
            var local = new LocalImageReader(services.GetRequiredService<LayerReader>(), LayerLimits.Default, scanner.ContentWantsFor(true));
            var open = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var image = await local.ReadDockerArchiveAsync(archive, scanner.WantsFor(true), CancellationToken.None);
            var read = clock.Elapsed;
            var result = await scanner.ScanReadImageAsync(image, true, read, CancellationToken.None);
            samples.Add(new Sample(open, read.TotalMilliseconds, result.Timings.Inventory.TotalMilliseconds, result.Timings.Match.TotalMilliseconds,
                result.Packages.Count, result.Vulnerabilities.Count));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        return samples;
    }
}
