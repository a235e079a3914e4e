using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Whether a counted scan was the image's first (push or manual) or a re-scan for new advisories.</summary>
public enum ScanUsageKind { Initial, Rescan }

/// <summary>Scans counted for one repository in one month.</summary>
public sealed record RepositoryUsageCount(string Repository, long InitialScans, long Rescans);

/// <summary>The stored re-scan configuration and when it was put.</summary>
public sealed record StoredRescanConfiguration(EcrRescanConfiguration Configuration, DateTimeOffset? UpdatedAt);

/// <summary>Re-scan fan-out: the per-registry re-scan durations, pull dates, eligibility expiry and usage metering.</summary>
public partial interface IScanRouterStore
{
    /// <summary>The stored re-scan configuration, or the default (DAYS_14 from the push, no pull window) with UpdatedAt null.</summary>
    Task<StoredRescanConfiguration> GetRescanConfigurationAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>Replaces the registry's re-scan configuration. Validate it first (<c>RescanConfigurationValidator</c>).</summary>
    Task PutRescanConfigurationAsync(string registry, EcrRescanConfiguration configuration, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The registries with a stored scanning configuration, ordinal order (the expiry sweep walks them).</summary>
    Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves the image's last pull date forward to <paramref name="at"/> (never back). False when the image is not catalogued.</summary>
    Task<bool> RecordPullAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets SCAN_ELIGIBILITY_EXPIRED unless it is already set (a conditional update): true exactly once per expiry, so the
    /// caller publishes ScanEligibilityExpired once however many advisories or sweeps see the image.
    /// </summary>
    Task<bool> TryExpireImageAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default);

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
