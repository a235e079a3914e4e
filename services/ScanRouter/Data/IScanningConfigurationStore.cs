using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScanRouter.Data;

/// <summary>The stored re-scan configuration and when it was put.</summary>
public sealed record StoredRescanConfiguration(EcrRescanConfiguration Configuration, DateTimeOffset? UpdatedAt);

/// <summary>
/// What each registry asked for: its scanning configuration (rules), its re-scan durations, and each repository's legacy scanOnPush.
/// Implementations: <see cref="SqliteScanningConfigurationStore"/> and <see cref="MongoScanningConfigurationStore"/>, one contract suite.
/// </summary>
public interface IScanningConfigurationStore : ITransactionalStore<IScanningConfigurationStore>
{
    /// <summary>The stored configuration, or ECR's default (BASIC, no rules) when none was put.</summary>
    Task<RegistryScanningConfiguration> GetConfigurationAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>Replaces the registry's configuration. Validate it first (<c>ScanningConfigurationValidator</c>).</summary>
    Task PutConfigurationAsync(string registry, RegistryScanningConfiguration configuration, CancellationToken cancellationToken = default);

    /// <summary>The registries with a stored scanning configuration, ordinal order (the expiry sweep walks them).</summary>
    Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default);

    /// <summary>The stored re-scan configuration, or the default (DAYS_14 from the push, no pull window) with UpdatedAt null.</summary>
    Task<StoredRescanConfiguration> GetRescanConfigurationAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>Replaces the registry's re-scan configuration. Validate it first (<c>RescanConfigurationValidator</c>).</summary>
    Task PutRescanConfigurationAsync(string registry, EcrRescanConfiguration configuration, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The repository's legacy scanOnPush (ECR PutImageScanningConfiguration); false when never set.</summary>
    Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default);

    /// <summary>Stores the repository's legacy scanOnPush; the last write wins.</summary>
    Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default);

    /// <summary>The registry's repositories whose legacy scanOnPush is on (catalogued or not), ordinal comparison.</summary>
    Task<IReadOnlySet<string>> ListScanOnPushRepositoriesAsync(string registry, CancellationToken cancellationToken = default);
}
