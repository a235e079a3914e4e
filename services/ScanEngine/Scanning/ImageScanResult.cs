using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Scanning;

/// <summary>What one scan of one image found: the OS, every package with its layer, and the vulnerabilities.</summary>
public sealed record ImageScanResult(
    string Digest,
    string MediaType,
    Distribution? Distribution,
    IReadOnlyList<Package> Packages,
    IReadOnlyList<VulnerabilityMatch> Vulnerabilities,
    string ScannerVersion,
    DateTimeOffset? AdvisoriesUpdatedAt,
    long CompressedBytesRead,
    int LayersFromCache,
    int LayerCount,
    ScanStageTimings Timings)
{
    /// <summary>Files that were not read, and why (see <see cref="ScanWarning"/>); empty for a re-match, which reads nothing.</summary>
    public IReadOnlyList<ScanWarning> Warnings { get; init; } = [];
}

/// <summary>Time spent per stage, for the duration histograms: streaming the layers (pull), finding packages in what was read (inventory), matching advisories.</summary>
public sealed record ScanStageTimings(TimeSpan Pull, TimeSpan Inventory, TimeSpan Match);
