using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IScanRouterStore"/> on one SQLite file (WAL journal), for the single-process deployment and tests.
/// Atomicity comes from unique keys (<c>INSERT OR IGNORE</c>), conditional <c>UPDATE … WHERE</c> statements and
/// <c>BEGIN IMMEDIATE</c> transactions; concurrent writers wait on the busy timeout instead of failing.
/// Times are stored as Unix milliseconds (UTC).
/// </summary>
public sealed partial class SqliteScanRouterStore : IScanRouterStore, IDisposable
{
    private const int BusyTimeoutMilliseconds = 30_000;
    private static readonly long WindowMilliseconds = (long)BasicScanQuota.Window.TotalMilliseconds;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly string _connectionString;
    private readonly PriorityWriteGate _writeGate;

    public SqliteScanRouterStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _writeGate = PriorityWriteGate.ForFile(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();

        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS scanning_configurations (
                registry   TEXT NOT NULL PRIMARY KEY,
                scan_type  TEXT NOT NULL,
                rules      TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );
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
                PRIMARY KEY (registry, repository, digest)
            ) WITHOUT ROWID;
            """);
        CreatePackageIndex(connection);
        CreateRepositorySettings(connection);
        CreateRescanTables(connection);
    }

    public async Task<RegistryScanningConfiguration> GetConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var connection = Open();
        await using var command = Command(connection, "SELECT scan_type, rules FROM scanning_configurations WHERE registry = $registry;");
        command.Parameters.AddWithValue("$registry", registry);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return ScanningRules.DefaultConfiguration;
        var scanType = Enum.Parse<ScanType>(reader.GetString(0));
        var rules = JsonSerializer.Deserialize<List<RegistryScanningRule>>(reader.GetString(1), Json) ?? [];
        return new RegistryScanningConfiguration(scanType, rules);
    }

    public async Task PutConfigurationAsync(string registry, RegistryScanningConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            INSERT INTO scanning_configurations (registry, scan_type, rules, updated_at)
            VALUES ($registry, $scanType, $rules, $now)
            ON CONFLICT (registry) DO UPDATE SET scan_type = excluded.scan_type, rules = excluded.rules, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$scanType", configuration.ScanType.ToString());
        command.Parameters.AddWithValue("$rules", JsonSerializer.Serialize(configuration.Rules ?? [], Json));
        command.Parameters.AddWithValue("$now", ToMilliseconds(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryRecordDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, "INSERT OR IGNORE INTO deliveries (delivery_id, received_at) VALUES ($id, $at);");
        command.Parameters.AddWithValue("$id", deliveryId);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<long> PurgeDeliveriesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, "DELETE FROM deliveries WHERE received_at < $cutoff;");
        command.Parameters.AddWithValue("$cutoff", ToMilliseconds(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ImageRecord> UpsertImageAsync(ImageRecord image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(image.Tags);
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        // BEGIN IMMEDIATE: the read-merge-write below holds the write lock throughout (a deferred transaction could not
        // upgrade its read lock under contention and would fail with SQLITE_BUSY).
        await using var transaction = connection.BeginTransaction(deferred: false);

        var existing = await ReadImageAsync(connection, transaction, image.Registry, image.Repository, image.Digest, cancellationToken);
        var merged = ImageMerge.Merge(existing, image);
        await WriteImageAsync(connection, transaction, merged, cancellationToken);
        if (merged.Tags.Count > 0)
            await MoveTagsAsync(connection, transaction, merged.Registry, merged.Repository, merged.Digest, image.Tags, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return Normalise(merged);
    }

    public async Task<ImageRecord?> GetImageAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        return await ReadImageAsync(connection, null, registry, repository, digest, cancellationToken);
    }

    public Task<ImagePage> ListImagesAsync(string registry, string? repositoryPrefix, ImagePageRequest page, CancellationToken cancellationToken = default) =>
        ListAsync(registry, repositoryPrefix, exactRepository: null, page, cancellationToken);

    public Task<ImagePage> ListRepositoryImagesAsync(string registry, string repository, ImagePageRequest page, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return ListAsync(registry, repositoryPrefix: null, exactRepository: repository, page, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var connection = Open();
        await using var command = Command(connection, "SELECT DISTINCT repository FROM images WHERE registry = $registry ORDER BY repository;");
        command.Parameters.AddWithValue("$registry", registry);
        var repositories = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) repositories.Add(reader.GetString(0));
        return repositories;
    }

    public async Task<bool> SetScanStatusAsync(
        string registry, string repository, string digest, ScanStatus status, string? description, Guid? scanId, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            UPDATE images
               SET scan_status = $status, scan_status_description = $description, scan_status_at = $at,
                   last_scan_id = COALESCE($scanId, last_scan_id), updated_at = $at
             WHERE registry = $registry AND repository = $repository AND digest = $digest
               AND (scan_status_at IS NULL OR scan_status_at <= $at);
            """);
        AddKey(command, registry, repository, digest);
        command.Parameters.AddWithValue("$status", status.ToString());
        command.Parameters.AddWithValue("$description", (object?)description ?? DBNull.Value);
        command.Parameters.AddWithValue("$scanId", scanId is { } id ? id.ToString("D") : DBNull.Value);
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryReserveBasicScanAsync(string registry, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
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

    /// <summary>Closes this store's pooled connections, so the database file can be deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<ImagePage> ListAsync(
        string registry, string? repositoryPrefix, string? exactRepository, ImagePageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(page);
        page.Validate();

        var sql = new System.Text.StringBuilder($"SELECT {ImageColumns} FROM images WHERE registry = $registry");
        await using var connection = Open();
        await using var command = connection.CreateCommand();
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

        var images = new List<ImageRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) images.Add(ReadImage(reader));
        }
        if (images.Count <= page.MaxResults) return new ImagePage(images, null);
        images.RemoveAt(images.Count - 1);
        var last = images[^1];
        return new ImagePage(images, ImagePageToken.Encode(last.Repository, last.Digest));
    }

    private const string ImageColumns =
        "registry, repository, digest, tags, media_type, pushed_at, last_pulled_at, scan_status, scan_status_description, " +
        "scan_status_at, last_scan_id, last_basic_scan_at, updated_at";

    private static async Task<ImageRecord?> ReadImageAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string registry, string repository, string digest, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            $"SELECT {ImageColumns} FROM images WHERE registry = $registry AND repository = $repository AND digest = $digest;");
        command.Transaction = transaction;
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
        ScanStatusAt: r.IsDBNull(9) ? null : FromMilliseconds(r.GetInt64(9)));

    private static async Task WriteImageAsync(SqliteConnection connection, SqliteTransaction transaction, ImageRecord image, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"""
            INSERT OR REPLACE INTO images ({ImageColumns})
            VALUES ($registry, $repository, $digest, $tags, $mediaType, $pushedAt, $lastPulledAt, $scanStatus, $scanStatusDescription,
                    $scanStatusAt, $lastScanId, $lastBasicScanAt, $updatedAt);
            """);
        command.Transaction = transaction;
        AddKey(command, image.Registry, image.Repository, image.Digest);
        command.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(image.Tags, Json));
        command.Parameters.AddWithValue("$mediaType", image.MediaType ?? "");
        command.Parameters.AddWithValue("$pushedAt", ToMilliseconds(image.PushedAt));
        command.Parameters.AddWithValue("$lastPulledAt", Nullable(image.LastPulledAt));
        command.Parameters.AddWithValue("$scanStatus", (object?)image.ScanStatus?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("$scanStatusDescription", (object?)image.ScanStatusDescription ?? DBNull.Value);
        command.Parameters.AddWithValue("$scanStatusAt", Nullable(image.ScanStatusAt));
        command.Parameters.AddWithValue("$lastScanId", image.LastScanId is { } id ? id.ToString("D") : DBNull.Value);
        command.Parameters.AddWithValue("$lastBasicScanAt", Nullable(image.LastBasicScanAt));
        command.Parameters.AddWithValue("$updatedAt", ToMilliseconds(image.UpdatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes <paramref name="tags"/> from the repository's other images: a tag names one manifest.</summary>
    private static async Task MoveTagsAsync(
        SqliteConnection connection, SqliteTransaction transaction, string registry, string repository, string digest,
        IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var moved = new HashSet<string>(tags, StringComparer.Ordinal);
        var holders = new List<(string Digest, List<string> Tags)>();
        await using (var select = Command(connection, """
            SELECT digest, tags FROM images
             WHERE registry = $registry AND repository = $repository AND digest <> $digest
               AND EXISTS (SELECT 1 FROM json_each(images.tags) t WHERE t.value IN (SELECT value FROM json_each($moved)));
            """))
        {
            select.Transaction = transaction;
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
            update.Transaction = transaction;
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
    };

    private static DateTimeOffset Round(DateTimeOffset value) => FromMilliseconds(ToMilliseconds(value));

    private static DateTimeOffset? Round(DateTimeOffset? value) => value is { } v ? Round(v) : null;

    /// <summary>A connection for a write, once this file's write gate lets the caller in (push scans before the re-scan lane).</summary>
    private Task<SqliteWrite> OpenForWriteAsync(CancellationToken cancellationToken) => SqliteWrite.OpenAsync(_writeGate, Open, cancellationToken);

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;"));
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = Command(connection, sql);
        command.ExecuteNonQuery();
    }

    private static void AddKey(SqliteCommand command, string registry, string repository, string digest)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(digest);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$digest", digest);
    }

    private static object Nullable(DateTimeOffset? value) => value is { } v ? ToMilliseconds(v) : DBNull.Value;

    private static long ToMilliseconds(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMilliseconds(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);
}
