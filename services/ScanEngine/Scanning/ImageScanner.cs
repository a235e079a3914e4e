using System.Diagnostics;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Matching;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Scanning;

/// <summary>
/// Scans one image: streams its layers from the registry, keeps only the files some finder wants,
/// detects the OS, lists packages with the layer that added them, and matches them against the
/// advisory database. BASIC runs the OS ecosystems only; ENHANCED runs every ecosystem.
/// </summary>
public sealed class ImageScanner(ImageReader reader, IAdvisoryStore advisories, IEnumerable<IEcosystem> ecosystems)
{
    private readonly VulnerabilityMatcher _matcher = new(advisories);
    private readonly IReadOnlyList<IEcosystem> _ecosystems = ecosystems.ToList();

    /// <summary>The finders (and the OS detection) a scan runs, with versions: a change means stored inventories are stale.</summary>
    public string VersionFor(bool includeLanguagePackages) =>
        string.Join(",", Selected(includeLanguagePackages).SelectMany(e => e.Finders).Select(f => $"{f.Name}/{f.Version}")
            .Append("os-release/1").Distinct().Order(StringComparer.Ordinal));

    /// <summary>Which files a scan of this kind keeps from each layer.</summary>
    public Func<string, bool> WantsFor(bool includeLanguagePackages)
    {
        var finders = Selected(includeLanguagePackages).SelectMany(e => e.Finders).ToArray();
        return path => DistributionDetector.Wants(path) || finders.Any(f => f.Wants(path));
    }

    /// <summary>Which files a scan of this kind keeps by content though no finder wants their path (executables); null for none.</summary>
    public IContentSniffer? ContentWantsFor(bool includeLanguagePackages) =>
        ContentSniffers.Of(Selected(includeLanguagePackages).SelectMany(e => e.Finders));

    /// <summary>Scans an image in a configured registry.</summary>
    public async Task<ImageScanResult> ScanAsync(string registry, string repository, string digest, bool includeLanguagePackages, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        // The finder set decides which files are kept, so it scopes the layer cache.
        var image = await reader.ReadAsync(registry, repository, digest, WantsFor(includeLanguagePackages), ct, cacheScope: VersionFor(includeLanguagePackages),
            sniffer: ContentWantsFor(includeLanguagePackages));
        return await ScanReadImageAsync(image, includeLanguagePackages, stopwatch.Elapsed, ct);
    }

    /// <summary>Scans an image already read (from a registry, an OCI layout, an archive or a directory) with <see cref="WantsFor"/>.</summary>
    public async Task<ImageScanResult> ScanReadImageAsync(ImageReadResult image, bool includeLanguagePackages, TimeSpan readTime, CancellationToken ct)
    {
        var selected = Selected(includeLanguagePackages);
        var stopwatch = Stopwatch.StartNew();
        var distribution = DistributionDetector.Detect(image.Files.Final);
        var warnings = new List<ScanWarning>();
        var packages = selected.SelectMany(e => e.Finders)
            .SelectMany(f => f is IWarningPackageFinder warns ? warns.Find(image.Files, distribution, warnings) : f.Find(image.Files, distribution)).ToList();
        warnings.AddRange(LayerWarnings(image));
        var inventoryTime = stopwatch.Elapsed;

        if (InventorySupport.Check(distribution, packages, selected) is { } missingDatabase) warnings.Add(missingDatabase);

        stopwatch.Restart();
        var matches = await _matcher.MatchAsync(packages, distribution, selected, ct);
        var updatedAt = await advisories.LastChangedAsync(ct);
        return new ImageScanResult(
            image.ManifestDigest, image.ManifestMediaType, distribution, packages, matches, VersionFor(includeLanguagePackages), updatedAt,
            image.CompressedBytesRead, image.Layers.Count(l => l.Stats.FromCache), image.Layers.Count, new ScanStageTimings(readTime, inventoryTime, stopwatch.Elapsed))
        {
            Warnings = warnings,
        };
    }

    /// <summary>What the layer reader skipped without failing the scan: executables over the sniffed-file limits.</summary>
    private static IEnumerable<ScanWarning> LayerWarnings(ImageReadResult image) =>
        image.Layers.Where(l => l.Stats.SkippedSniffedFiles > 0).Select(l => new ScanWarning(l.Digest,
            $"{l.Stats.SkippedSniffedFiles} executables of layer {l.Digest} were not examined for Go or Rust packages: each is over the "
            + "limit MaxSniffedFileBytes, or the layer's kept bytes would go over MaxKeptBytes."));

    /// <summary>
    /// Matches a stored inventory (from an earlier scan with the same <see cref="VersionFor"/>) against the current
    /// advisory database: a re-scan without registry access. Nothing is read, so the byte and layer counts are zero. The
    /// warning an inventory implies (no OS package database) is given again; the layer reader's (executables it skipped) cannot
    /// be, since the stored inventory does not record them.
    /// </summary>
    public async Task<ImageScanResult> RematchAsync(Distribution? distribution, IReadOnlyList<Package> packages, string digest, string mediaType,
        bool includeLanguagePackages, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var selected = Selected(includeLanguagePackages);
        var warnings = InventorySupport.Check(distribution, packages, selected) is { } missingDatabase ? [missingDatabase] : new List<ScanWarning>();
        var matches = await _matcher.MatchAsync(packages, distribution, selected, ct);
        var updatedAt = await advisories.LastChangedAsync(ct);
        return new ImageScanResult(digest, mediaType, distribution, packages, matches, VersionFor(includeLanguagePackages), updatedAt,
            CompressedBytesRead: 0, LayersFromCache: 0, LayerCount: 0, new ScanStageTimings(TimeSpan.Zero, TimeSpan.Zero, stopwatch.Elapsed))
        {
            Warnings = warnings,
        };
    }

    private IReadOnlyList<IEcosystem> Selected(bool includeLanguagePackages) =>
        _ecosystems.Where(e => e.IsOperatingSystem || includeLanguagePackages).ToList();
}
