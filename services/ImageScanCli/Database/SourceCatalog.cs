using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Cli.Database;

/// <summary>
/// What the database holds from one source, as <c>db status</c> shows it and <c>db update</c> continues from it.
/// <see cref="CheckedAt"/>: last successful update or import (also when nothing had changed); <see cref="ChangedAt"/>: last
/// one that stored something. <see cref="Records"/>: records read from the source in all; the other counts are the last run's.
/// <see cref="ETag"/>: of the last downloaded file (sent back as If-None-Match); <see cref="Watermark"/>: the newest
/// modified_id.csv timestamp already imported (osv.dev ecosystems).
/// </summary>
public sealed record SourceRecord
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required string Location { get; init; }
    public DateTimeOffset? CheckedAt { get; init; }
    public DateTimeOffset? ChangedAt { get; init; }
    public long Records { get; init; }
    public int Added { get; init; }
    public int Changed { get; init; }
    public int MetadataChanged { get; init; }
    public int Unchanged { get; init; }
    public int Failed { get; init; }
    public string? ETag { get; init; }
    public string? Watermark { get; init; }
}

/// <summary>The <c>imagescan_sources</c> table in the cache's database: one row per source, by name.</summary>
public sealed class SourceCatalog(string databasePath)
{
    private readonly string connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 60,
    }.ToString();

    private const string Columns = "name, kind, location, checked_at, changed_at, records, added, changed, metadata_changed, unchanged, failed, etag, watermark";

    public async Task<IReadOnlyList<SourceRecord>> ListAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM imagescan_sources ORDER BY name";
        var list = new List<SourceRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    public async Task<SourceRecord?> GetAsync(string name, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(s => s.Name == name);

    public async Task SaveAsync(SourceRecord source, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT OR REPLACE INTO imagescan_sources ({Columns})
            VALUES ($name, $kind, $location, $checked, $changedAt, $records, $added, $changed, $metadata, $unchanged, $failed, $etag, $watermark)
            """;
        command.Parameters.AddWithValue("$name", source.Name);
        command.Parameters.AddWithValue("$kind", source.Kind);
        command.Parameters.AddWithValue("$location", source.Location);
        command.Parameters.AddWithValue("$checked", (object?)source.CheckedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$changedAt", (object?)source.ChangedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$records", source.Records);
        command.Parameters.AddWithValue("$added", source.Added);
        command.Parameters.AddWithValue("$changed", source.Changed);
        command.Parameters.AddWithValue("$metadata", source.MetadataChanged);
        command.Parameters.AddWithValue("$unchanged", source.Unchanged);
        command.Parameters.AddWithValue("$failed", source.Failed);
        command.Parameters.AddWithValue("$etag", (object?)source.ETag ?? DBNull.Value);
        command.Parameters.AddWithValue("$watermark", (object?)source.Watermark ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static SourceRecord Read(SqliteDataReader r) => new()
    {
        Name = r.GetString(0), Kind = r.GetString(1), Location = r.GetString(2),
        CheckedAt = r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
        ChangedAt = r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
        Records = r.GetInt64(5), Added = r.GetInt32(6), Changed = r.GetInt32(7), MetadataChanged = r.GetInt32(8),
        Unchanged = r.GetInt32(9), Failed = r.GetInt32(10),
        ETag = r.IsDBNull(11) ? null : r.GetString(11), Watermark = r.IsDBNull(12) ? null : r.GetString(12),
    };

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var create = connection.CreateCommand();
        create.CommandText = """
            CREATE TABLE IF NOT EXISTS imagescan_sources (
                name TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, location TEXT NOT NULL,
                checked_at INTEGER, changed_at INTEGER, records INTEGER NOT NULL DEFAULT 0,
                added INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0, metadata_changed INTEGER NOT NULL DEFAULT 0,
                unchanged INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, etag TEXT, watermark TEXT)
            """;
        await create.ExecuteNonQueryAsync(ct);
        return connection;
    }

    internal static string Iso(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never";
}

public static class SourceCatalogRecording
{
    /// <summary>
    /// Records a successful import from a source. <paramref name="incremental"/>: the import held only the records changed since
    /// the last one, so the source's record count grows by the new ones instead of being replaced.
    /// </summary>
    public static async Task<SourceRecord> RecordImportAsync(this SourceCatalog catalog, string name, string kind, string location,
        ScanEngine.Advisories.ImportResult result, long recordsRead, bool incremental, string? etag, string? watermark, DateTimeOffset now, CancellationToken ct)
    {
        var previous = await catalog.GetAsync(name, ct);
        var stored = result.Added + result.Changed + result.MetadataChanged > 0;
        var record = new SourceRecord
        {
            Name = name, Kind = kind, Location = location, CheckedAt = now,
            ChangedAt = stored ? now : previous?.ChangedAt,
            Records = incremental ? (previous?.Records ?? 0) + result.Added : recordsRead,
            Added = result.Added, Changed = result.Changed, MetadataChanged = result.MetadataChanged, Unchanged = result.Unchanged,
            Failed = result.Failed, ETag = etag, Watermark = watermark,
        };
        await catalog.SaveAsync(record, ct);
        return record;
    }

    /// <summary>Records that a source was checked and had nothing new (304, or nothing in modified_id.csv past the watermark).</summary>
    public static async Task RecordUnchangedAsync(this SourceCatalog catalog, SourceRecord previous, string? watermark, DateTimeOffset now, CancellationToken ct) =>
        await catalog.SaveAsync(previous with
        {
            CheckedAt = now, Added = 0, Changed = 0, MetadataChanged = 0, Unchanged = 0, Failed = 0, Watermark = watermark ?? previous.Watermark,
        }, ct);
}
