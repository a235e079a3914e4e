using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>How every store in the SQLite advisory database (advisories, exploit intelligence) opens it and builds commands.</summary>
internal static class AdvisorySqlite
{
    /// <summary>An open connection with the database's pragmas; disposed again when opening fails.</summary>
    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var pragma = Command(connection, null, "PRAGMA synchronous = NORMAL");
            await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
