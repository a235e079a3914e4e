using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScannerCore.Attempts;

/// <summary>The attempts table of the scanners' SQLite file. Times are Unix milliseconds (UTC).</summary>
public sealed class SqliteScanAttemptStore : IScanAttemptStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS scan_attempts (
            scan_id    TEXT NOT NULL,
            scanner    TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            PRIMARY KEY (scan_id, scanner)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_scan_attempts_started_at ON scan_attempts (started_at);
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteScanAttemptStore(SqliteDatabase database)
    {
        _database = database;
        database.EnsureSchema(Schema);
    }

    private SqliteScanAttemptStore(SqliteDatabase database, SqliteUnitOfWork work)
    {
        _database = database;
        _work = work;
    }

    public IScanAttemptStore In(UnitOfWork work) => new SqliteScanAttemptStore(_database, _database.Join(work));

    public Task RecordAsync(Guid scanId, Guid scanner, DateTimeOffset startedAt, CancellationToken ct = default) =>
        ExecuteAsync("""
            INSERT INTO scan_attempts (scan_id, scanner, started_at) VALUES ($scan, $scanner, $at)
            ON CONFLICT (scan_id, scanner) DO NOTHING;
            """, ct, ("$scan", scanId.ToString("D")), ("$scanner", scanner.ToString("D")), ("$at", startedAt.ToUnixTimeMilliseconds()));

    public async Task<int> CountUnfinishedAsync(Guid scanId, Guid scanner, CancellationToken ct = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.Transaction = _work?.Transaction;
        command.CommandText = "SELECT COUNT(*) FROM scan_attempts WHERE scan_id = $scan AND scanner <> $scanner;";
        command.Parameters.AddWithValue("$scan", scanId.ToString("D"));
        command.Parameters.AddWithValue("$scanner", scanner.ToString("D"));
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task EndAsync(Guid scanId, Guid scanner, CancellationToken ct = default) =>
        ExecuteAsync("DELETE FROM scan_attempts WHERE scan_id = $scan AND scanner = $scanner;", ct,
            ("$scan", scanId.ToString("D")), ("$scanner", scanner.ToString("D")));

    public Task ForgetAsync(Guid scanId, CancellationToken ct = default) =>
        ExecuteAsync("DELETE FROM scan_attempts WHERE scan_id = $scan;", ct, ("$scan", scanId.ToString("D")));

    public Task<long> PruneAsync(DateTimeOffset startedBefore, CancellationToken ct = default) =>
        ExecuteAsync("DELETE FROM scan_attempts WHERE started_at < $before;", ct, ("$before", startedBefore.ToUnixTimeMilliseconds()));

    private async Task<long> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var write = await _database.OpenForWriteAsync(_work, ct);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = write.Transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
