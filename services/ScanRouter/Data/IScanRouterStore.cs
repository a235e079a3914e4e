using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// The ScanRouter's own data: each registry's scanning configuration, webhook delivery de-duplication,
/// the image catalog and the basic-scan quota. Implementations: <see cref="SqliteScanRouterStore"/>
/// (single process) and <see cref="MongoScanRouterStore"/> (distributed). Both pass the same contract tests.
/// </summary>
public partial interface IScanRouterStore
{
    /// <summary>The stored configuration, or ECR's default (BASIC, no rules) when none was put.</summary>
    Task<RegistryScanningConfiguration> GetConfigurationAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>Replaces the registry's configuration. Validate it first (<c>ScanningConfigurationValidator</c>).</summary>
    Task PutConfigurationAsync(string registry, RegistryScanningConfiguration configuration, CancellationToken cancellationToken = default);

    /// <summary>True only the first time this delivery id is seen (atomic: a unique key), so a redelivered webhook scans nothing twice.</summary>
    Task<bool> TryRecordDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Forgets delivery ids recorded before <paramref name="cutoff"/>; returns how many. For a periodic clean-up.</summary>
    Task<long> PurgeDeliveriesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or merges an image (tags are unioned; see <see cref="ImageRecord"/> for the other fields) and returns the stored record.
    /// A tag names one image per repository: the incoming tags are removed from the repository's other images, as a registry moves a tag.
    /// </summary>
    Task<ImageRecord> UpsertImageAsync(ImageRecord image, CancellationToken cancellationToken = default);

    Task<ImageRecord?> GetImageAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>Images of a registry, optionally only repositories whose name starts with <paramref name="repositoryPrefix"/>, by (repository, digest).</summary>
    /// <exception cref="ArgumentException">MaxResults outside 1–1000, or a NextToken we did not issue.</exception>
    Task<ImagePage> ListImagesAsync(string registry, string? repositoryPrefix, ImagePageRequest page, CancellationToken cancellationToken = default);

    /// <summary>Images of exactly one repository (DescribeImages), by digest.</summary>
    /// <exception cref="ArgumentException">MaxResults outside 1–1000, or a NextToken we did not issue.</exception>
    Task<ImagePage> ListRepositoryImagesAsync(string registry, string repository, ImagePageRequest page, CancellationToken cancellationToken = default);

    /// <summary>The distinct repositories that hold catalogued images, ordinal order.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a scan status. <paramref name="scanId"/> null keeps the last scan id. Returns false when the image is not
    /// catalogued or a status with a later <paramref name="at"/> is already recorded (out-of-order messages never go back in time).
    /// </summary>
    Task<bool> SetScanStatusAsync(
        string registry, string repository, string digest, ScanStatus status, string? description, Guid? scanId, DateTimeOffset at,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically reserves the image's basic scan: true, recording <paramref name="now"/> as its last basic scan, only when no basic
    /// scan was recorded in the 24 h before <paramref name="now"/> (a conditional update, race-free). False when the quota is used up
    /// or the image is not catalogued (upsert it first).
    /// </summary>
    Task<bool> TryReserveBasicScanAsync(string registry, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the image's set of package keys (the reverse package index) in one atomic step; idempotent. Keys are
    /// canonicalised (<see cref="ImagePackageKey.Canonical"/>) and de-duplicated; an empty set removes the image from the index.
    /// </summary>
    /// <exception cref="ArgumentException">A key without an ecosystem or a name.</exception>
    Task ReplaceImagePackagesAsync(
        string registry, string repository, string digest, IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default);

    /// <summary>
    /// The distinct images holding any of <paramref name="packages"/> (compared after canonicalisation), in
    /// (registry, repository, digest) ordinal order. One indexed query, whatever the catalog's size.
    /// </summary>
    Task<IReadOnlyList<ImageKey>> FindImagesHoldingAsync(IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default);
    // Repositories (SqliteScanRouterStore.Repositories.cs, MongoScanRouterStore.Repositories.cs).

    /// <summary>The repository's legacy scanOnPush (ECR PutImageScanningConfiguration); false when never set.</summary>
    Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default);

    /// <summary>Stores the repository's legacy scanOnPush; the last write wins.</summary>
    Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default);

    /// <summary>Repositories holding catalogued images, ordinal order: created at their earliest push, with their legacy scanOnPush.</summary>
    Task<IReadOnlyList<CatalogRepository>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>The image of the repository that carries <paramref name="tag"/> (a tag names one image per repository), or null.</summary>
    Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default);
}
