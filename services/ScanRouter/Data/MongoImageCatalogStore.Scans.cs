using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Scan status, the scan each image waits for (dispatches), the basic-scan quota, pulls and re-scan expiry.</summary>
public sealed partial class MongoImageCatalogStore
{
    private const string InProgress = nameof(ScanStatus.IN_PROGRESS);

    public async Task<bool> SetScanStatusAsync(
        string registry, string repository, string digest, ScanStatus status, string? description, Guid? scanId, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var filter = Key(registry, repository, digest) & NotLaterThan(at);
        var updates = new List<UpdateDefinition<BsonDocument>>
        {
            Update.Set("scanStatus", status.ToString()),
            Update.Set("scanStatusDescription", Nullable(description)),
            Update.Set("scanStatusAt", Date(at)),
            Update.Set("updatedAt", Date(at)),
        };
        if (scanId is { } id) updates.Add(Update.Set("lastScanId", id.ToString("D")));
        var result = await Images.UpdateOneAsync(filter, Update.Combine(updates), cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> SetOsEndOfLifeAsync(
        string registry, string repository, string digest, DateOnly? endOfLife, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var result = await Images.UpdateOneAsync(Key(registry, repository, digest),
            Update.Set("osEndOfLife", Nullable(endOfLife?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))), cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> StartScanAsync(
        string registry, string repository, string digest, Guid scanId, ScanDispatch dispatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        await EnsureIndexesAsync(cancellationToken);
        var filter = Key(registry, repository, digest) & NotLaterThan(dispatch.DispatchedAt);
        var updates = new List<UpdateDefinition<BsonDocument>>
        {
            Update.Set("scanStatus", InProgress),
            Update.Set("scanStatusDescription", ScanStatusDescriptions.InProgress),
            Update.Set("scanStatusAt", Date(dispatch.DispatchedAt)),
            Update.Set("updatedAt", Date(dispatch.DispatchedAt)),
            Update.Set("lastScanId", scanId.ToString("D")),
        };
        updates.AddRange(SetDispatch(dispatch));
        var result = await Images.UpdateOneAsync(filter, Update.Combine(updates), cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<IReadOnlyList<ImageRecord>> ListInProgressScansAsync(
        DateTimeOffset dispatchedBefore, int limit, ImageKey? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await EnsureIndexesAsync(cancellationToken);
        var before = Date(dispatchedBefore);
        var filter = Filter.Eq("scanStatus", InProgress) & Filter.Type("lastScanId", BsonType.String)
            & Filter.Or(
                Filter.Lte("scanDispatchedAt", before),
                // Images from before dispatches were recorded: their status time.
                Filter.Exists("scanDispatchedAt", false) & Filter.Lte("scanStatusAt", before));
        if (after is not null)
        {
            filter &= Filter.Or(
                Filter.Gt("registry", after.Registry),
                Filter.Eq("registry", after.Registry) & Filter.Gt("repository", after.Repository),
                Filter.Eq("registry", after.Registry) & Filter.Eq("repository", after.Repository) & Filter.Gt("digest", after.Digest));
        }
        // ix_scan_status_key: the status is fixed, the unique image key orders (no ties).
        var documents = await Images.Find(filter)
            .Sort(ImageKeyOrderSort)
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return await ReadImagesAsync(documents, cancellationToken);
    }

    public async Task<bool> TryRedispatchScanAsync(
        string registry, string repository, string digest, Guid scanId, int expectedDispatches, ScanDispatch next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        await EnsureIndexesAsync(cancellationToken);
        var filter = StillWaiting(registry, repository, digest, scanId, expectedDispatches);
        var result = await Images.UpdateOneAsync(filter, Update.Combine(SetDispatch(next)), cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> TryFailStuckScanAsync(
        string registry, string repository, string digest, Guid scanId, int expectedDispatches, string description, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        await EnsureIndexesAsync(cancellationToken);
        var filter = StillWaiting(registry, repository, digest, scanId, expectedDispatches) & NotLaterThan(at);
        var update = Update.Set("scanStatus", nameof(ScanStatus.FAILED)).Set("scanStatusDescription", description)
            .Set("scanStatusAt", Date(at)).Set("updatedAt", Date(at));
        var result = await Images.UpdateOneAsync(filter, update, cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> TryReserveBasicScanAsync(string registry, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var cutoff = Date(now - BasicScanQuota.Window);
        var filter = Key(registry, repository, digest)
            & Filter.Or(Filter.Eq("lastBasicScanAt", BsonNull.Value), Filter.Lte("lastBasicScanAt", cutoff));
        var update = Update.Set("lastBasicScanAt", Date(now)).Set("updatedAt", Date(now));
        var result = await Images.UpdateOneAsync(filter, update, cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> RecordPullAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        // $max never moves the date back; a missing field counts as lower than any date.
        var result = await Images.UpdateOneAsync(Key(registry, repository, digest), Update.Max("lastPulledAt", Date(at)), cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> TryExpireImageAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var expired = nameof(ScanStatus.SCAN_ELIGIBILITY_EXPIRED);
        var filter = Key(registry, repository, digest) & Filter.Ne("scanStatus", expired);
        var update = Update.Set("scanStatus", expired).Set("scanStatusDescription", RescanEligibility.ExpiredDescription)
            .Set("scanStatusAt", Date(at)).Set("updatedAt", Date(at));
        var result = await Images.UpdateOneAsync(filter, update, cancellationToken);
        return result.ModifiedCount == 1;
    }

    /// <summary>No status recorded yet, or one not later than <paramref name="at"/>: out-of-order messages never go back in time.</summary>
    private static FilterDefinition<BsonDocument> NotLaterThan(DateTimeOffset at) =>
        Filter.Or(Filter.Eq("scanStatusAt", BsonNull.Value), Filter.Lte("scanStatusAt", Date(at)));

    /// <summary>Still IN_PROGRESS for this scan, sent this many times (documents from before dispatches were counted: 0).</summary>
    private static FilterDefinition<BsonDocument> StillWaiting(string registry, string repository, string digest, Guid scanId, int expectedDispatches) =>
        Key(registry, repository, digest) & Filter.Eq("scanStatus", InProgress) & Filter.Eq("lastScanId", scanId.ToString("D"))
        & (expectedDispatches == 0
            ? Filter.Or(Filter.Eq("scanDispatches", 0), Filter.Exists("scanDispatches", false))
            : Filter.Eq("scanDispatches", expectedDispatches));
}
