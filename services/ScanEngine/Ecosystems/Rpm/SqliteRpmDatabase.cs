using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// rpm's SQLite backend: table <c>Packages(hnum INTEGER PRIMARY KEY, blob BLOB)</c>, one header per row.
/// SQLite reads files, and the engine holds layer files in memory, so the bytes go to a private temporary
/// file that is deleted afterwards. A write-ahead log next to the database in the image is not applied
/// (rpm checkpoints it when it closes the database).
/// </summary>
internal static class SqliteRpmDatabase
{
    public static IReadOnlyList<byte[]> ReadHeaderBlobs(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rpmdb-{Guid.NewGuid():N}.sqlite");
        try
        {
            File.WriteAllBytes(path, content);
            // No pooling: the connection must really close so that the file can be deleted.
            var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT blob FROM Packages ORDER BY hnum";
            var blobs = new List<byte[]>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (reader.IsDBNull(0)) continue;
                blobs.Add(reader.GetFieldValue<byte[]>(0));
            }
            return blobs;
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
}
