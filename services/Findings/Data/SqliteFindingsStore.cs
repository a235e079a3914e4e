using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Findings.Data;

/// <summary>Embedded store: one row per scan, the record as JSON, in the service's SQLite file.</summary>
public sealed class SqliteFindingsStore : IFindingsStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS scans (
            scan_id TEXT PRIMARY KEY,
            image_key TEXT NOT NULL,
            completed_at INTEGER NOT NULL,
            record TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS scans_by_image ON scans (image_key, completed_at);
        CREATE INDEX IF NOT EXISTS scans_by_time ON scans (completed_at);
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteFindingsStore(SqliteDatabase database) : this(database, null) => database.EnsureSchema(Schema);

    private SqliteFindingsStore(SqliteDatabase database, SqliteUnitOfWork? work)
    {
        _database = database;
        _work = work;
    }

    public IFindingsStore In(UnitOfWork work) => new SqliteFindingsStore(_database, _database.Join(work));

    public async Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = """
            INSERT INTO scans (scan_id, image_key, completed_at, record) VALUES ($id, $key, $at, $record)
            ON CONFLICT (scan_id) DO UPDATE SET image_key = excluded.image_key, completed_at = excluded.completed_at, record = excluded.record;
            """;
        command.Parameters.AddWithValue("$id", scan.ScanId.ToString());
        command.Parameters.AddWithValue("$key", scan.Key);
        command.Parameters.AddWithValue("$at", scan.CompletedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$record", FindingsJson.Serialize(scan));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ImageScanRecord?> GetScanAsync(Guid scanId, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.CommandText = "SELECT record FROM scans WHERE scan_id = $id";
        command.Parameters.AddWithValue("$id", scanId.ToString());
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? FindingsJson.Deserialize(json) : null;
    }

    public async Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.CommandText = "SELECT record FROM scans WHERE image_key = $key ORDER BY completed_at DESC, rowid DESC LIMIT 1";
        command.Parameters.AddWithValue("$key", ImageScanRecord.ImageKey(registry, repository, digest));
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? FindingsJson.Deserialize(json) : null;
    }

    public async Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.CommandText = "SELECT record FROM scans WHERE completed_at > $after ORDER BY completed_at DESC, rowid DESC LIMIT $limit";
        command.Parameters.AddWithValue("$after", completedAfter?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 1000));
        var results = new List<ImageScanRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) results.Add(FindingsJson.Deserialize(reader.GetString(0)));
        return results;
    }
}
