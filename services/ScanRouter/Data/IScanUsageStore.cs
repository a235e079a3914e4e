using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Whether a counted scan was the image's first (push or manual) or a re-scan for new advisories.</summary>
public enum ScanUsageKind { Initial, Rescan }

/// <summary>Scans counted for one repository in one month.</summary>
public sealed record RepositoryUsageCount(string Repository, long InitialScans, long Rescans);

/// <summary>
/// Usage metering: one entry per completed scan, keyed by scan id, so a redelivered result counts once. Implementations:
/// <see cref="SqliteScanUsageStore"/> and <see cref="MongoScanUsageStore"/>, one contract suite.
/// </summary>
public interface IScanUsageStore : ITransactionalStore<IScanUsageStore>
{
    /// <summary>Counts a completed scan toward its month (UTC) once per scan id; false when this scan was already counted.</summary>
    Task<bool> TryRecordScanUsageAsync(
        Guid scanId, string registry, string repository, ScanUsageKind kind, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Scans counted in the registry in the month (UTC) <paramref name="year"/>-<paramref name="month"/>, per repository, ordinal order.</summary>
    Task<IReadOnlyList<RepositoryUsageCount>> GetScanUsageAsync(string registry, int year, int month, CancellationToken cancellationToken = default);
}

internal static class UsageMonth
{
    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static string Of(int year, int month) => new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
