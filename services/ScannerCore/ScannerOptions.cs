namespace ImageScanning.ScannerCore;

/// <summary>Scanning:* settings of the scanners (the blob throughput floor is <see cref="ScanEngine.Images.BlobThroughputOptions"/>).</summary>
public sealed class ScannerOptions
{
    public const string Section = "Scanning";

    /// <summary>
    /// The most one scan may take, pull, inventory and match together; past it the scan fails as TIMEOUT and is not retried, so a
    /// registry that trickles bytes cannot hold a scanner slot for ever.
    /// </summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many times a scanner may stop (killed, out of memory) in the middle of one scan before that scan is recorded FAILED
    /// instead of being tried again. Below the queues' delivery limit, so the user sees this reason rather than a dead letter.
    /// </summary>
    public int MaxScanAttempts { get; set; } = 3;

    /// <summary>
    /// A directory of endoflife.date API files (debian.json, ubuntu.json, ...; docs/eol.md) read on top of the code's end-of-life table
    /// and again when they change. Unset: the code's table alone. Nothing is fetched from anywhere.
    /// </summary>
    public string? EndOfLifeFeedDirectory { get; set; }

    /// <summary>A description of what is wrong with the settings, or null when they are usable.</summary>
    public string? Problem() =>
        ScanTimeout <= TimeSpan.Zero ? $"Scanning:ScanTimeout must be positive, not {ScanTimeout}."
        : MaxScanAttempts < 1 ? $"Scanning:MaxScanAttempts must be at least 1, not {MaxScanAttempts}."
        : null;
}

/// <summary>The scanners' service database: inventories, scan attempts, outbox and inbox (Basic and Enhanced share it in one process).</summary>
public static class ScannerDatabase
{
    public const string Name = "inventories";
}
