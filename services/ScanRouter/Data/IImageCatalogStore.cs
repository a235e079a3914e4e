using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// A repository of the catalog: its name, when CreateRepository created it (else the first push seen in it), the imageTagMutability
/// it was created with, and how many catalogued images it holds.
/// </summary>
public sealed record CatalogRepositoryRecord(string Name, DateTimeOffset CreatedAt, string ImageTagMutability = "MUTABLE", int ImageCount = 0);

/// <summary>
/// The image catalog: images and their tags, scan status and the scan each waits for, the basic-scan quota, pulls, re-scan
/// expiry, webhook delivery de-duplication and repository listings. Implementations: <see cref="SqliteImageCatalogStore"/> and
/// <see cref="MongoImageCatalogStore"/>, one contract suite. Conditional writes return whether they applied.
/// </summary>
public interface IImageCatalogStore : ITransactionalStore<IImageCatalogStore>
{
    /// <summary>
    /// True only the first time this delivery id is seen (a unique key), so a webhook the registry sends again scans nothing twice.
    /// Call it inside the unit of work that handles the delivery: a failure before the commit forgets it again.
    /// </summary>
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

    /// <summary>The distinct repositories that hold catalogued images or were created (CreateRepository), ordinal order.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Repositories holding catalogued images or created, ordinal order: a created one at its creation, another at its earliest push.
    /// </summary>
    Task<IReadOnlyList<CatalogRepositoryRecord>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default);

    /// <summary>The repository (created, or holding catalogued images), or null. SqliteImageCatalogStore.Repositories.cs.</summary>
    Task<CatalogRepositoryRecord?> GetRepositoryAsync(string registry, string repository, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates an empty repository entry (CreateRepository): false, storing nothing, when the repository already exists, as an entry
    /// or by catalogued images of it. A later push into it keeps the entry's creation time.
    /// </summary>
    Task<bool> TryCreateRepositoryAsync(string registry, CatalogRepositoryRecord repository, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the repository's entry and its catalogued images (with their tags), in one transaction: NOT_FOUND when neither exists,
    /// NOT_EMPTY (removing nothing) when it holds images and <paramref name="force"/> is false. The result lists the removed images.
    /// </summary>
    Task<RepositoryDeletion> DeleteRepositoryAsync(string registry, string repository, bool force, CancellationToken cancellationToken = default);

    /// <summary>The image of the repository that carries <paramref name="tag"/> (a tag names one image per repository), or null.</summary>
    Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a scan status. <paramref name="scanId"/> null keeps the last scan id. Returns false when the image is not
    /// catalogued or a status with a later <paramref name="at"/> is already recorded (out-of-order messages never go back in time).
    /// </summary>
    Task<bool> SetScanStatusAsync(
        string registry, string repository, string digest, ScanStatus status, string? description, Guid? scanId, DateTimeOffset at,
        CancellationToken cancellationToken = default);

    /// <summary>Records the end of life of the OS release a completed scan found (null: none known). False when not catalogued.</summary>
    Task<bool> SetOsEndOfLifeAsync(string registry, string repository, string digest, DateOnly? endOfLife, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that scan <paramref name="scanId"/> was sent: IN_PROGRESS ("The scan is in progress.") at
    /// <see cref="ScanDispatch.DispatchedAt"/>, the scan id, and <paramref name="dispatch"/> as the image's current scan. The same
    /// ordering rule as <see cref="SetScanStatusAsync"/>: false when not catalogued or a later status is recorded.
    /// </summary>
    Task<bool> StartScanAsync(string registry, string repository, string digest, Guid scanId, ScanDispatch dispatch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Images IN_PROGRESS whose current scan was last sent at or before <paramref name="dispatchedBefore"/> (images from before
    /// dispatches were recorded: their status time), at most <paramref name="limit"/>, in (registry, repository, digest) order after
    /// <paramref name="after"/>. For the stuck-scan sweeper.
    /// </summary>
    Task<IReadOnlyList<ImageRecord>> ListInProgressScansAsync(
        DateTimeOffset dispatchedBefore, int limit, ImageKey? after = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a re-send of the same scan: <paramref name="next"/> becomes the current scan, only while the image is still
    /// IN_PROGRESS for <paramref name="scanId"/> and sent <paramref name="expectedDispatches"/> times so far (a concurrent sweeper or
    /// an arriving result wins). The status and its time stay.
    /// </summary>
    Task<bool> TryRedispatchScanAsync(
        string registry, string repository, string digest, Guid scanId, int expectedDispatches, ScanDispatch next, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records FAILED with <paramref name="description"/> at <paramref name="at"/> for a scan that never answered, only while the
    /// image is still IN_PROGRESS for <paramref name="scanId"/>, sent <paramref name="expectedDispatches"/> times.
    /// </summary>
    Task<bool> TryFailStuckScanAsync(
        string registry, string repository, string digest, Guid scanId, int expectedDispatches, string description, DateTimeOffset at,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically reserves the image's basic scan: true, recording <paramref name="now"/> as its last basic scan, only when no basic
    /// scan was recorded in the 24 h before <paramref name="now"/> (a conditional update, race-free). False when the quota is used up
    /// or the image is not catalogued (upsert it first).
    /// </summary>
    Task<bool> TryReserveBasicScanAsync(string registry, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Moves the image's last pull date forward to <paramref name="at"/> (never back). False when the image is not catalogued.</summary>
    Task<bool> RecordPullAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets SCAN_ELIGIBILITY_EXPIRED unless it is already set (a conditional update): true exactly once per expiry, so the
    /// caller publishes ScanEligibilityExpired once however many advisories or sweeps see the image.
    /// </summary>
    Task<bool> TryExpireImageAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default);
}
