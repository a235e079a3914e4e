using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Local;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Comparison.Tests;

/// <summary>Our side of the comparison: the engine's directory reader and every finder of an ENHANCED scan.</summary>
public static class EngineInventory
{
    /// <summary>The packages our engine finds in a root filesystem directory, as an ENHANCED scan lists them.</summary>
    public static async Task<IReadOnlyList<Package>> InventoryAsync(string rootfs, CancellationToken ct = default)
    {
        var finders = EcosystemCatalog.All().SelectMany(e => e.Finders).ToArray();
        bool Wants(string path) => DistributionDetector.Wants(path) || finders.Any(f => f.Wants(path));
        var image = await new LocalImageReader(new LayerReader(), LayerLimits.Default).ReadDirectoryAsync(rootfs, Wants, ct);
        var distribution = DistributionDetector.Detect(image.Files.Final);
        return finders.SelectMany(f => f.Find(image.Files, distribution)).ToList();
    }
}
