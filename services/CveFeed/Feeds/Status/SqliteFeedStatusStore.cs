using System.Text.Json;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.CveFeed.Feeds.Status;

/// <summary>feed_status(name PK, status JSON, updated_at): a handful of rows, written once per run.</summary>
public sealed class SqliteFeedStatusStore(string path) : IFeedStatusStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SqliteDatabase database = new(path, """
        CREATE TABLE IF NOT EXISTS feed_status (
            name       TEXT    NOT NULL PRIMARY KEY,
            status     TEXT    NOT NULL,
            updated_at INTEGER NOT NULL
        );
        """);

    public async Task<FeedStatus?> GetAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM feed_status WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<FeedStatus>(json, Json) : null;
    }

    public async Task<IReadOnlyList<FeedStatus>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM feed_status ORDER BY name";
        var list = new List<FeedStatus>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(JsonSerializer.Deserialize<FeedStatus>(reader.GetString(0), Json)!);
        return list;
    }

    public async Task SaveAsync(FeedStatus status, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO feed_status (name, status, updated_at) VALUES ($name, $status, $updated)
            ON CONFLICT (name) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
            """;
        command.Parameters.AddWithValue("$name", status.Name);
        command.Parameters.AddWithValue("$status", JsonSerializer.Serialize(status, Json));
        command.Parameters.AddWithValue("$updated", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(ct);
    }
}
