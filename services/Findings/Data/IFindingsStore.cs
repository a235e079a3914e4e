namespace ImageScanning.Findings.Data;

/// <summary>The Findings service's store: scans and their findings, per image.</summary>
public interface IFindingsStore
{
    /// <summary>Stores a scan and its findings atomically; storing the same ScanId again replaces it (idempotent redelivery).</summary>
    Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default);

    /// <summary>The image's most recent scan, with its findings; null when it was never scanned.</summary>
    Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>Finished scans, newest first, optionally only those completed after a point in time.</summary>
    Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default);
}
