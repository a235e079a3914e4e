using ImageScanning.ServiceDefaults.Background;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>
/// One embedded SQLite file of a service's store: created with its schema on first use, in WAL mode so
/// readers never block the writer, and with a busy timeout so concurrent writers wait instead of failing.
/// Writes that open with <see cref="OpenForWriteAsync"/> also pass one <see cref="PriorityWriteGate"/> per file, so in this process
/// a push scan's write goes before the re-scan lane's.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly PriorityWriteGate _gate;

    public SqliteDatabase(string path, string schema)
    {
        _gate = PriorityWriteGate.ForFile(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;\n" + schema;
        command.ExecuteNonQuery();
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// A connection for one write (a statement or a whole transaction), opened once the file's write gate lets this caller in:
    /// background-lane callers after every waiting foreground one. Dispose it to close the connection and pass the gate on.
    /// </summary>
    public Task<SqliteWrite> OpenForWriteAsync(CancellationToken ct = default) => SqliteWrite.OpenAsync(_gate, Open, ct);
}

/// <summary>A connection holding its database's write gate until disposed.</summary>
public sealed class SqliteWrite(SqliteConnection connection, PriorityWriteGate.Lease lease) : IAsyncDisposable
{
    public SqliteConnection Connection => connection;

    /// <summary>Enters the gate (as a background writer on a background-lane thread), then opens the connection.</summary>
    public static async Task<SqliteWrite> OpenAsync(PriorityWriteGate gate, Func<SqliteConnection> open, CancellationToken ct)
    {
        var lease = await gate.EnterAsync(BackgroundLane.IsBackgroundThread, ct);
        try
        {
            return new SqliteWrite(open(), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await connection.DisposeAsync(); }
        finally { lease.Dispose(); }
    }
}
