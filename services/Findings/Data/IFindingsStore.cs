using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Findings.Data;

/// <summary>The Findings service's scan records: each finished scan and its findings, per image.</summary>
public interface IFindingsStore : ITransactionalStore<IFindingsStore>
{
    /// <summary>Stores a scan and its findings atomically; storing the same ScanId again replaces it (idempotent redelivery).</summary>
    Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default);

    /// <summary>The stored outcome of one scan; null when none was stored.</summary>
    Task<ImageScanRecord?> GetScanAsync(Guid scanId, CancellationToken cancellationToken = default);

    /// <summary>The image's most recent scan, with its findings; null when it was never scanned.</summary>
    Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>Finished scans, newest first, optionally only those completed after a point in time.</summary>
    Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default);
}
