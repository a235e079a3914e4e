using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using static ImageScanning.ScanRouter.Data.SqliteStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Scan status, the scan each image waits for (dispatches), the basic-scan quota, pulls and re-scan expiry.</summary>
public sealed partial class SqliteImageCatalogStore
{
    private static readonly long WindowMilliseconds = (long)BasicScanQuota.Window.TotalMilliseconds;

    public async Task<bool> SetScanStatusAsync(
        string registry, string repository, string digest, ScanStatus status, string? description, Guid? scanId, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images
               SET scan_status = $status, scan_status_description = $description, scan_status_at = $at,
                   last_scan_id = COALESCE($scanId, last_scan_id), updated_at = $at
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND (scan_status_at IS NULL OR scan_status_at <= $at);
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$status", status.ToString());
        command.Parameters.AddWithValue("$description", Nullable(description));
        command.Parameters.AddWithValue("$scanId", scanId is { } id ? id.ToString("D") : DBNull.Value);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> SetOsEndOfLifeAsync(
        string registry, string repository, string digest, DateOnly? endOfLife, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images SET os_end_of_life = $endOfLife WHERE registry = $registry AND repository = $repository AND digest = $digest;
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$endOfLife", Nullable(endOfLife?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> StartScanAsync(
        string registry, string repository, string digest, Guid scanId, ScanDispatch dispatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images
               SET scan_status = 'IN_PROGRESS', scan_status_description = $description, scan_status_at = $dispatchedAt,
                   last_scan_id = $scanId, updated_at = $dispatchedAt,
                   current_scan_type = $scanType, current_scan_trigger = $trigger, scan_dispatches = $dispatches, scan_dispatched_at = $dispatchedAt
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND (scan_status_at IS NULL OR scan_status_at <= $dispatchedAt);
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$description", ScanStatusDescriptions.InProgress);
        command.Parameters.AddWithValue("$scanId", scanId.ToString("D"));
        AddDispatch(command, dispatch);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<ImageRecord>> ListInProgressScansAsync(
        DateTimeOffset dispatchedBefore, int limit, ImageKey? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var read = _database.OpenForRead(_work);
        // The literal 'IN_PROGRESS' (not a parameter) lets the planner use the partial index ix_images_in_progress.
        await using var command = Command(read.Connection, $"""
            SELECT {ImageColumns} FROM images
             WHERE scan_status = 'IN_PROGRESS' AND last_scan_id IS NOT NULL
               AND COALESCE(scan_dispatched_at, scan_status_at, updated_at) <= $before
               {(after is null ? "" : "AND (registry, repository, digest) > ($afterRegistry, $afterRepository, $afterDigest)")}
             ORDER BY registry, repository, digest LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$before", ToMilliseconds(dispatchedBefore));
        command.Parameters.AddWithValue("$limit", limit);
        if (after is not null)
        {
            command.Parameters.AddWithValue("$afterRegistry", after.Registry);
            command.Parameters.AddWithValue("$afterRepository", after.Repository);
            command.Parameters.AddWithValue("$afterDigest", after.Digest);
        }
        return await ReadImagesAsync(command, cancellationToken);
    }

    public async Task<bool> TryRedispatchScanAsync(
        string registry, string repository, string digest, Guid scanId, int expectedDispatches, ScanDispatch next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images
               SET current_scan_type = $scanType, current_scan_trigger = $trigger, scan_dispatches = $dispatches, scan_dispatched_at = $dispatchedAt
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND scan_status = 'IN_PROGRESS' AND last_scan_id = $scanId AND scan_dispatches = $expected;
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$scanId", scanId.ToString("D"));
        command.Parameters.AddWithValue("$expected", expectedDispatches);
        AddDispatch(command, next);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryFailStuckScanAsync(
        string registry, string repository, string digest, Guid scanId, int expectedDispatches, string description, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images
               SET scan_status = 'FAILED', scan_status_description = $description, scan_status_at = $at, updated_at = $at
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND scan_status = 'IN_PROGRESS' AND last_scan_id = $scanId AND scan_dispatches = $expected
               AND (scan_status_at IS NULL OR scan_status_at <= $at);
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$scanId", scanId.ToString("D"));
        command.Parameters.AddWithValue("$expected", expectedDispatches);
        command.Parameters.AddWithValue("$description", description);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryReserveBasicScanAsync(string registry, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images
               SET last_basic_scan_at = $now, updated_at = $now
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND (last_basic_scan_at IS NULL OR last_basic_scan_at <= $cutoff);
            """);
        AddKey(command, registry, repository, digest);
        var nowMs = ToMilliseconds(now);
        command.Parameters.AddWithValue("$now", nowMs);
        command.Parameters.AddWithValue("$cutoff", nowMs - WindowMilliseconds);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> RecordPullAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images SET last_pulled_at = MAX(COALESCE(last_pulled_at, $at), $at)
             WHERE registry = $registry AND repository = $repository AND digest = $digest;
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryExpireImageAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            UPDATE images
               SET scan_status = $expired, scan_status_description = $description, scan_status_at = $at, updated_at = $at
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND (scan_status IS NULL OR scan_status <> $expired);
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$expired", nameof(ScanStatus.SCAN_ELIGIBILITY_EXPIRED));
        command.Parameters.AddWithValue("$description", RescanEligibility.ExpiredDescription);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
