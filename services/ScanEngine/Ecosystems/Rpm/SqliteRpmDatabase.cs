using System.Diagnostics;
using ImageScanning.ScanEngine.Images;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// Bounds on reading one rpm SQLite database, so that a hostile image (a <c>Packages</c> view that recurses for
/// ever, generated columns that inflate blobs) costs at most this much time and memory.
/// </summary>
/// <param name="Deadline">Wall-clock time for the whole read, enforced inside SQLite by its progress handler.</param>
/// <param name="MaxRows">Rows of <c>Packages</c>; real systems have a few thousand packages.</param>
/// <param name="MaxBlobBytes">
/// All header blobs together, and any single string or blob SQLite builds. The default is the largest file the
/// engine keeps from a layer (<see cref="LayerLimits.MaxFileBytes"/>): a database that honestly stores its
/// headers cannot hold more.
/// </param>
internal sealed record SqliteRpmDatabaseLimits(TimeSpan Deadline, int MaxRows, long MaxBlobBytes)
{
    public static SqliteRpmDatabaseLimits Default { get; } =
        new(TimeSpan.FromSeconds(10), MaxRows: 200_000, MaxBlobBytes: LayerLimits.Default.MaxFileBytes);
}

/// <summary>
/// rpm's SQLite backend: table <c>Packages(hnum INTEGER PRIMARY KEY, blob BLOB)</c>, one header per row.
/// SQLite reads files, and the engine holds layer files in memory, so the bytes go to a private temporary
/// file that is deleted afterwards. A write-ahead log next to the database in the image is not applied
/// (rpm checkpoints it when it closes the database).
/// <para>
/// The file comes from the image, so it is opened read-only with its schema untrusted (no functions with side
/// effects from views, triggers or generated columns), <c>Packages</c> must be a plain table, and the read is
/// bounded by <see cref="SqliteRpmDatabaseLimits"/>. Rows are sorted here rather than by <c>ORDER BY</c>, so
/// that SQLite never needs a sorter and its temporary storage.
/// </para>
/// </summary>
internal static class SqliteRpmDatabase
{
    /// <summary>How many SQLite virtual-machine steps run between two looks at the clock.</summary>
    private const int ProgressCheckInterval = 10_000;

    public static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content) => ReadHeaderBlobs(content, SqliteRpmDatabaseLimits.Default);

    internal static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content, SqliteRpmDatabaseLimits limits)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rpmdb-{Guid.NewGuid():N}.sqlite");
        var clock = Stopwatch.StartNew();
        var deadlinePassed = false;
        try
        {
            File.WriteAllBytes(path, content);
            // No pooling: the connection must really close so that the file can be deleted.
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ToString();
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            raw.sqlite3_progress_handler(connection.Handle, ProgressCheckInterval, _ =>
            {
                deadlinePassed = clock.Elapsed > limits.Deadline;
                return deadlinePassed ? 1 : 0; // non-zero interrupts the statement with SQLITE_INTERRUPT
            }, null);
            raw.sqlite3_limit(connection.Handle, raw.SQLITE_LIMIT_LENGTH, (int)Math.Min(int.MaxValue, limits.MaxBlobBytes));
            Execute(connection, "PRAGMA trusted_schema=OFF; PRAGMA query_only=ON; PRAGMA temp_store=MEMORY;");
            RequirePlainPackagesTable(connection);
            return ReadBlobs(connection, limits);
        }
        catch (SqliteException e) when (deadlinePassed || e.SqliteErrorCode == raw.SQLITE_INTERRUPT)
        {
            throw new InvalidDataException(
                $"rpm SQLite database: reading took longer than {limits.Deadline.TotalSeconds:0.###} s", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == raw.SQLITE_TOOBIG)
        {
            throw new InvalidDataException(
                $"rpm SQLite database: a value is larger than the limit of {limits.MaxBlobBytes} bytes", e);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"rpm SQLite database is unreadable: {e.Message}", e);
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } // best effort: the temp directory is cleaned anyway
            foreach (var sidecar in (string[])["-journal", "-wal", "-shm"])
                try { File.Delete(path + sidecar); } catch (IOException) { }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A view or virtual table named Packages would run code of the image's choosing on every read.</summary>
    private static void RequirePlainPackagesTable(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        // Names are case-insensitive in SQLite: "FROM Packages" would also use a view called "packages".
        command.CommandText =
            "SELECT type, sql FROM main.sqlite_schema WHERE name = 'Packages' COLLATE NOCASE AND type IN ('table', 'view')";
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw new InvalidDataException("rpm SQLite database: there is no Packages table");
        var type = reader.GetString(0);
        var sql = reader.IsDBNull(1) ? "" : reader.GetString(1);
        if (type != "table") throw new InvalidDataException($"rpm SQLite database: Packages is a {type}, not a table");
        if (sql.TrimStart().StartsWith("CREATE VIRTUAL TABLE", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException("rpm SQLite database: Packages is a virtual table, not a table");
    }

    private static List<byte[]> ReadBlobs(SqliteConnection connection, SqliteRpmDatabaseLimits limits)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hnum, blob FROM main.Packages";
        var rows = new List<(long Hnum, byte[] Blob)>();
        var rowCount = 0;
        long totalBytes = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (++rowCount > limits.MaxRows)
                throw new InvalidDataException($"rpm SQLite database: Packages has more than {limits.MaxRows} rows");
            if (reader.IsDBNull(1)) continue;
            var blob = reader.GetFieldValue<byte[]>(1);
            totalBytes += blob.Length;
            if (totalBytes > limits.MaxBlobBytes)
                throw new InvalidDataException(
                    $"rpm SQLite database: the header blobs are larger than the limit of {limits.MaxBlobBytes} bytes");
            rows.Add((reader.IsDBNull(0) ? long.MaxValue : reader.GetInt64(0), blob));
        }
        // The order rpm itself reads them in (by header number); OrderBy is stable for equal numbers.
        return rows.OrderBy(row => row.Hnum).Select(row => row.Blob).ToList();
    }
}
