namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// The slowest a registry may send a blob (the scanners bind these from Scanning:*). A blob that brings fewer than
/// <see cref="MinimumThroughputBytesPerSecond"/> × <see cref="ThroughputWindow"/> bytes in a window of waiting for data, or none at
/// all, fails as <see cref="Model.ScanFailureKind.Timeout"/> instead of holding a scanner slot for ever.
/// </summary>
public sealed class BlobThroughputOptions
{
    /// <summary>Bytes per second, averaged over <see cref="ThroughputWindow"/>; 0 turns the guard off.</summary>
    public long MinimumThroughputBytesPerSecond { get; set; } = 16 * 1024;

    /// <summary>How much waiting the rate is measured over: a short burst of slowness within it is forgiven.</summary>
    public TimeSpan ThroughputWindow { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsEnabled => MinimumThroughputBytesPerSecond > 0;

    /// <summary>A description of what is wrong with the settings, or null when they are usable.</summary>
    public string? Problem() =>
        MinimumThroughputBytesPerSecond < 0 ? $"Scanning:MinimumThroughputBytesPerSecond must not be negative, not {MinimumThroughputBytesPerSecond}."
        : ThroughputWindow <= TimeSpan.Zero ? $"Scanning:ThroughputWindow must be positive, not {ThroughputWindow}."
        : null;
}
