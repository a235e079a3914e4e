using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.ScanRouter.Data.SqliteStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary><see cref="IScanUsageStore"/> in the ScanRouter's SQLite file: one row per counted scan, the scan id its key.</summary>
public sealed class SqliteScanUsageStore : IScanUsageStore
{
    internal const string Schema = """
        -- One row per counted scan: the scan id as key makes a redelivered ImageScanned count once.
        CREATE TABLE IF NOT EXISTS scan_usage (
            scan_id    TEXT NOT NULL PRIMARY KEY,
            registry   TEXT NOT NULL,
            repository TEXT NOT NULL,
            month      TEXT NOT NULL,
            kind       TEXT NOT NULL,
            counted_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_scan_usage_month ON scan_usage (registry, month, repository);
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteScanUsageStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        database.EnsureSchema(Schema);
        _database = database;
    }

    private SqliteScanUsageStore(SqliteDatabase database, SqliteUnitOfWork work)
    {
        _database = database;
        _work = work;
    }

    public IScanUsageStore In(UnitOfWork work) => new SqliteScanUsageStore(_database, _database.Join(work));

    public async Task<bool> TryRecordScanUsageAsync(
        Guid scanId, string registry, string repository, ScanUsageKind kind, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = Command(write.Connection, """
            INSERT OR IGNORE INTO scan_usage (scan_id, registry, repository, month, kind, counted_at)
            VALUES ($scanId, $registry, $repository, $month, $kind, $at);
            """);
        command.Parameters.AddWithValue("$scanId", scanId.ToString("D"));
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$month", UsageMonth.Of(at));
        command.Parameters.AddWithValue("$kind", kind.ToString());
        command.Parameters.AddWithValue("$at", ToMilliseconds(at));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<RepositoryUsageCount>> GetScanUsageAsync(string registry, int year, int month, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, """
            SELECT repository, SUM(kind = 'Initial'), SUM(kind = 'Rescan')
              FROM scan_usage WHERE registry = $registry AND month = $month
             GROUP BY repository ORDER BY repository;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$month", UsageMonth.Of(year, month));
        var counts = new List<RepositoryUsageCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            counts.Add(new RepositoryUsageCount(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        return counts;
    }
}
