using Microsoft.Data.Sqlite;

namespace ImageScanning.Comparison.Tests;

/// <summary>
/// An empty Trivy Java index DB (schema version 1 of trivy-java-db: artifacts and their jar SHA-1s) with
/// metadata that says it is fresh, so an offline Trivy scans jars instead of failing to download the index.
/// </summary>
public static class EmptyJavaDb
{
    public static async Task CreateAsync(string javaDbDirectory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(javaDbDirectory);
        var database = Path.Combine(javaDbDirectory, "trivy-java.db");
        if (File.Exists(database)) File.Delete(database);
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
                CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT, FOREIGN KEY (artifact_id) REFERENCES artifacts(id));
                CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
                CREATE INDEX indices_artifact_idx ON indices(artifact_id);
                CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);
                """;
            await command.ExecuteNonQueryAsync(ct);
        }
        // Written last: Trivy treats the DB as present once metadata.json exists.
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        await File.WriteAllTextAsync(Path.Combine(javaDbDirectory, "metadata.json"),
            $$"""{"Version":1,"NextUpdate":"2999-01-01T00:00:00Z","UpdatedAt":"{{now}}","DownloadedAt":"{{now}}"}""", ct);
    }
}
