using ImageScanning.ScanEngine.Advisories.Store;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>The write-hook contract on a real SQLite file: the hook's marker table lives in the advisory file, as CveFeed's outbox does.</summary>
[TestFixture]
public sealed class SqliteAdvisoryWriteHookTests : AdvisoryWriteHookContract
{
    private string directory = null!;
    private SqliteAdvisoryStore? store;

    private string DatabasePath => Path.Combine(directory, "advisories.db");

    protected override Task<IAdvisoryStore> CreateStoreAsync(IAdvisoryWriteHook hook)
    {
        directory = Path.Combine(Path.GetTempPath(), "advisory-hook-tests", Guid.NewGuid().ToString("N"));
        store = new SqliteAdvisoryStore(DatabasePath, writeHook: hook);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE markers (advisory_id TEXT NOT NULL)";
        command.ExecuteNonQuery();
        return Task.FromResult<IAdvisoryStore>(store);
    }

    [TearDown]
    public void DeleteDatabase()
    {
        store?.Dispose();
        store = null;
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    private SqliteConnection Open()
    {
        Directory.CreateDirectory(directory);
        var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        return connection;
    }

    protected override async Task WriteMarkersAsync(AdvisoryWriteTransaction transaction, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var sqlite = (SqliteAdvisoryWriteTransaction)transaction;
        foreach (var id in ids)
        {
            await using var command = sqlite.Connection.CreateCommand();
            command.Transaction = sqlite.Transaction;
            command.CommandText = "INSERT INTO markers (advisory_id) VALUES ($id)";
            command.Parameters.AddWithValue("$id", id);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    protected override async Task<IReadOnlyList<string>> CommittedMarkersAsync()
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT advisory_id FROM markers";
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    protected override async Task<(long Outside, long Inside)> CountAdvisoriesAsync(AdvisoryWriteTransaction transaction, CancellationToken ct)
    {
        var sqlite = (SqliteAdvisoryWriteTransaction)transaction;
        await using var inside = sqlite.Connection.CreateCommand();
        inside.Transaction = sqlite.Transaction;
        inside.CommandText = "SELECT COUNT(*) FROM advisories";
        var insideCount = (long)(await inside.ExecuteScalarAsync(ct))!;
        // WAL: a second connection reads the last committed state without waiting for the writer.
        await using var connection = Open();
        await using var outside = connection.CreateCommand();
        outside.CommandText = "SELECT COUNT(*) FROM advisories";
        return ((long)(await outside.ExecuteScalarAsync(ct))!, insideCount);
    }
}
