using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;
using static ImageScanning.ScanRouter.Data.SqliteStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IImageCatalogStore"/> in the ScanRouter's SQLite file. Atomicity comes from unique keys (<c>INSERT OR IGNORE</c>),
/// conditional <c>UPDATE … WHERE</c> statements and IMMEDIATE transactions (or the unit of work's). Scan status, quota, dispatch and
/// expiry writes: SqliteImageCatalogStore.Scans.cs; created repositories and deletion: SqliteImageCatalogStore.Repositories.cs.
/// </summary>
public sealed partial class SqliteImageCatalogStore : IImageCatalogStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS deliveries (
            delivery_id TEXT NOT NULL PRIMARY KEY,
            received_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_deliveries_received_at ON deliveries (received_at);
        CREATE TABLE IF NOT EXISTS images (
            registry                TEXT NOT NULL,
            repository              TEXT NOT NULL,
            digest                  TEXT NOT NULL,
            tags                    TEXT NOT NULL,
            media_type              TEXT NOT NULL,
            pushed_at               INTEGER NOT NULL,
            last_pulled_at          INTEGER,
            scan_status             TEXT,
            scan_status_description TEXT,
            scan_status_at          INTEGER,
            last_scan_id            TEXT,
            last_basic_scan_at      INTEGER,
            updated_at              INTEGER NOT NULL,
            current_scan_type       TEXT,
            current_scan_trigger    TEXT,
            scan_dispatches         INTEGER NOT NULL DEFAULT 0,
            scan_dispatched_at      INTEGER,
            PRIMARY KEY (registry, repository, digest)
        ) WITHOUT ROWID;
        """;

    /// <summary>Columns added after the first release: a file created before gets them at start-up.</summary>
    private static readonly (string Name, string Definition)[] AddedColumns =
    [
        ("current_scan_type", "TEXT"),
        ("current_scan_trigger", "TEXT"),
        ("scan_dispatches", "INTEGER NOT NULL DEFAULT 0"),
        ("scan_dispatched_at", "INTEGER"),
        ("os_end_of_life", "TEXT"),
    ];

    /// <summary>The stuck-scan sweeper reads only IN_PROGRESS images: a partial index keeps that cheap in a large catalog.</summary>
    private const string Indexes = """
        CREATE INDEX IF NOT EXISTS ix_images_in_progress ON images (registry, repository, digest) WHERE scan_status = 'IN_PROGRESS';
        """;

    private const string ImageColumns =
        "registry, repository, digest, tags, media_type, pushed_at, last_pulled_at, scan_status, scan_status_description, " +
        "scan_status_at, last_scan_id, last_basic_scan_at, updated_at, current_scan_type, current_scan_trigger, scan_dispatches, scan_dispatched_at, " +
        "os_end_of_life";

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteImageCatalogStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        database.EnsureSchema(Schema);
        AddMissingColumns(database);
        database.EnsureSchema(Indexes);
        database.EnsureSchema(RepositoriesSchema);
        _database = database;
    }

    private SqliteImageCatalogStore(SqliteDatabase database, SqliteUnitOfWork work)
    {
        _database = database;
        _work = work;
    }

    public IImageCatalogStore In(UnitOfWork work) => new SqliteImageCatalogStore(_database, _database.Join(work));

    private static void AddMissingColumns(SqliteDatabase database)
    {
        using var connection = database.Open();
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var info = Command(connection, "SELECT name FROM pragma_table_info('images');"))
        using (var reader = info.ExecuteReader())
        {
            while (reader.Read()) existing.Add(reader.GetString(0));
        }
        foreach (var (name, definition) in AddedColumns.Where(c => !existing.Contains(c.Name)))
        {
            using var alter = Command(connection, $"ALTER TABLE images ADD COLUMN {name} {definition};");
            try { alter.ExecuteNonQuery(); }
            catch (SqliteException e) when (e.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase)) { } // another process was first
        }
    }

    public async Task<bool> TryRecordDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, "INSERT OR IGNORE INTO deliveries (delivery_id, received_at) VALUES ($id, $at);");
        command.Parameters.AddWithValue("$id", deliveryId);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<long> PurgeDeliveriesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, "DELETE FROM deliveries WHERE received_at < $cutoff;");
        command.Parameters.AddWithValue("$cutoff", ToMilliseconds(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ImageRecord> UpsertImageAsync(ImageRecord image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(image.Tags);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        // IMMEDIATE (or the work's, which is): the read-merge-write below holds the write lock throughout; a deferred transaction
        // could not upgrade its read lock under contention and would fail with SQLITE_BUSY.
        await using var transaction = write.BeginTransaction();
        var connection = write.Connection;

        var existing = await ReadImageAsync(connection, image.Registry, image.Repository, image.Digest, cancellationToken);
        var merged = ImageMerge.Merge(existing, image);
        await WriteImageAsync(connection, merged, cancellationToken);
        if (merged.Tags.Count > 0)
            await MoveTagsAsync(connection, merged.Registry, merged.Repository, merged.Digest, image.Tags, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return Normalise(merged);
    }

    public async Task<ImageRecord?> GetImageAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        return await ReadImageAsync(read.Connection, registry, repository, digest, cancellationToken);
    }

    public Task<ImagePage> ListImagesAsync(string registry, string? repositoryPrefix, ImagePageRequest page, CancellationToken cancellationToken = default) =>
        ListAsync(registry, repositoryPrefix, exactRepository: null, page, cancellationToken);

    public Task<ImagePage> ListRepositoryImagesAsync(string registry, string repository, ImagePageRequest page, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return ListAsync(registry, repositoryPrefix: null, exactRepository: repository, page, cancellationToken);
    }

    public async Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(tag);
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, $"""
            SELECT {ImageColumns} FROM images
            WHERE registry = $registry AND repository = $repository
              AND EXISTS (SELECT 1 FROM json_each(images.tags) t WHERE t.value = $tag)
            ORDER BY updated_at DESC LIMIT 1;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$tag", tag);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadImage(reader) : null;
    }

    private async Task<ImagePage> ListAsync(
        string registry, string? repositoryPrefix, string? exactRepository, ImagePageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(page);
        page.Validate();

        var sql = new System.Text.StringBuilder($"SELECT {ImageColumns} FROM images WHERE registry = $registry");
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.Parameters.AddWithValue("$registry", registry);
        if (exactRepository is not null)
        {
            sql.Append(" AND repository = $repository");
            command.Parameters.AddWithValue("$repository", exactRepository);
        }
        else if (!string.IsNullOrEmpty(repositoryPrefix))
        {
            sql.Append(" AND substr(repository, 1, length($prefix)) = $prefix");
            command.Parameters.AddWithValue("$prefix", repositoryPrefix);
        }
        if (page.NextToken is not null && ImagePageToken.TryDecode(page.NextToken, out var afterRepository, out var afterDigest))
        {
            sql.Append(" AND (repository > $afterRepository OR (repository = $afterRepository AND digest > $afterDigest))");
            command.Parameters.AddWithValue("$afterRepository", afterRepository);
            command.Parameters.AddWithValue("$afterDigest", afterDigest);
        }
        sql.Append(" ORDER BY repository, digest LIMIT $limit;");
        command.Parameters.AddWithValue("$limit", page.MaxResults + 1);
        command.CommandText = sql.ToString();

        var images = await ReadImagesAsync(command, cancellationToken);
        if (images.Count <= page.MaxResults) return new ImagePage(images, null);
        images.RemoveAt(images.Count - 1);
        var last = images[^1];
        return new ImagePage(images, ImagePageToken.Encode(last.Repository, last.Digest));
    }

    private static async Task<List<ImageRecord>> ReadImagesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var images = new List<ImageRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) images.Add(ReadImage(reader));
        return images;
    }

    private static async Task<ImageRecord?> ReadImageAsync(
        SqliteConnection connection, string registry, string repository, string digest, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            $"SELECT {ImageColumns} FROM images WHERE registry = $registry AND repository = $repository AND digest = $digest;");
        AddKey(command, registry, repository, digest);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadImage(reader) : null;
    }

    private static ImageRecord ReadImage(SqliteDataReader r) => new(
        Registry: r.GetString(0),
        Repository: r.GetString(1),
        Digest: r.GetString(2),
        Tags: JsonSerializer.Deserialize<List<string>>(r.GetString(3), Json) ?? [],
        MediaType: r.GetString(4),
        PushedAt: FromMilliseconds(r.GetInt64(5)),
        LastPulledAt: r.IsDBNull(6) ? null : FromMilliseconds(r.GetInt64(6)),
        ScanStatus: r.IsDBNull(7) ? null : Enum.Parse<ScanStatus>(r.GetString(7)),
        ScanStatusDescription: r.IsDBNull(8) ? null : r.GetString(8),
        LastScanId: r.IsDBNull(10) ? null : Guid.Parse(r.GetString(10)),
        LastBasicScanAt: r.IsDBNull(11) ? null : FromMilliseconds(r.GetInt64(11)),
        UpdatedAt: FromMilliseconds(r.GetInt64(12)),
        ScanStatusAt: r.IsDBNull(9) ? null : FromMilliseconds(r.GetInt64(9)),
        CurrentScan: r.IsDBNull(13) || r.IsDBNull(14) || r.IsDBNull(16)
            ? null
            : new ScanDispatch(Enum.Parse<ScanType>(r.GetString(13)), Enum.Parse<ScanTrigger>(r.GetString(14)), r.GetInt32(15), FromMilliseconds(r.GetInt64(16))),
        OsEndOfLife: r.IsDBNull(17) ? null : DateOnly.ParseExact(r.GetString(17), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    private static async Task WriteImageAsync(SqliteConnection connection, ImageRecord image, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"""
            INSERT OR REPLACE INTO images ({ImageColumns})
            VALUES ($registry, $repository, $digest, $tags, $mediaType, $pushedAt, $lastPulledAt, $scanStatus, $scanStatusDescription,
                    $scanStatusAt, $lastScanId, $lastBasicScanAt, $updatedAt, $scanType, $trigger, $dispatches, $dispatchedAt, $osEndOfLife);
            """);
        AddKey(command, image.Registry, image.Repository, image.Digest);
        command.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(image.Tags, Json));
        command.Parameters.AddWithValue("$mediaType", image.MediaType ?? "");
        command.Parameters.AddWithValue("$pushedAt", ToMilliseconds(image.PushedAt));
        command.Parameters.AddWithValue("$lastPulledAt", Nullable(image.LastPulledAt));
        command.Parameters.AddWithValue("$scanStatus", Nullable(image.ScanStatus?.ToString()));
        command.Parameters.AddWithValue("$scanStatusDescription", Nullable(image.ScanStatusDescription));
        command.Parameters.AddWithValue("$scanStatusAt", Nullable(image.ScanStatusAt));
        command.Parameters.AddWithValue("$lastScanId", image.LastScanId is { } id ? id.ToString("D") : DBNull.Value);
        command.Parameters.AddWithValue("$lastBasicScanAt", Nullable(image.LastBasicScanAt));
        command.Parameters.AddWithValue("$updatedAt", ToMilliseconds(image.UpdatedAt));
        AddDispatch(command, image.CurrentScan);
        command.Parameters.AddWithValue("$osEndOfLife", Nullable(image.OsEndOfLife?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddDispatch(SqliteCommand command, ScanDispatch? dispatch)
    {
        command.Parameters.AddWithValue("$scanType", Nullable(dispatch?.ScanType.ToString()));
        command.Parameters.AddWithValue("$trigger", Nullable(dispatch?.Trigger.ToString()));
        command.Parameters.AddWithValue("$dispatches", dispatch?.Dispatches ?? 0);
        command.Parameters.AddWithValue("$dispatchedAt", Nullable(dispatch?.DispatchedAt));
    }

    /// <summary>Removes <paramref name="tags"/> from the repository's other images: a tag names one manifest.</summary>
    private static async Task MoveTagsAsync(
        SqliteConnection connection, string registry, string repository, string digest, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var moved = new HashSet<string>(tags, StringComparer.Ordinal);
        var holders = new List<(string Digest, List<string> Tags)>();
        await using (var select = Command(connection, """
            SELECT digest, tags FROM images
             WHERE registry = $registry AND repository = $repository AND digest <> $digest
               AND EXISTS (SELECT 1 FROM json_each(images.tags) t WHERE t.value IN (SELECT value FROM json_each($moved)));
            """))
        {
            AddKey(select, registry, repository, digest);
            select.Parameters.AddWithValue("$moved", JsonSerializer.Serialize(moved, Json));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                holders.Add((reader.GetString(0), JsonSerializer.Deserialize<List<string>>(reader.GetString(1), Json) ?? []));
        }

        foreach (var (holderDigest, holderTags) in holders)
        {
            await using var update = Command(connection,
                "UPDATE images SET tags = $tags WHERE registry = $registry AND repository = $repository AND digest = $digest;");
            AddKey(update, registry, repository, holderDigest);
            update.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(holderTags.Where(t => !moved.Contains(t)).ToList(), Json));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>What a read-back of <paramref name="image"/> returns (millisecond precision, UTC).</summary>
    private static ImageRecord Normalise(ImageRecord image) => image with
    {
        PushedAt = Round(image.PushedAt),
        LastPulledAt = Round(image.LastPulledAt),
        LastBasicScanAt = Round(image.LastBasicScanAt),
        ScanStatusAt = Round(image.ScanStatusAt),
        UpdatedAt = Round(image.UpdatedAt),
        CurrentScan = image.CurrentScan is { } scan ? scan with { DispatchedAt = Round(scan.DispatchedAt) } : null,
    };
}
