using ImageScanning.Contracts;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Repository-level data: the legacy scanOnPush setting, repository summaries and tag lookup.</summary>
public sealed partial class SqliteScanRouterStore
{
    private static void CreateRepositorySettings(SqliteConnection connection) => Execute(connection, """
        CREATE TABLE IF NOT EXISTS repository_settings (
            registry     TEXT NOT NULL,
            repository   TEXT NOT NULL,
            scan_on_push INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            PRIMARY KEY (registry, repository)
        ) WITHOUT ROWID;
        """);

    public async Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var connection = Open();
        await using var command = Command(connection,
            "SELECT scan_on_push FROM repository_settings WHERE registry = $registry AND repository = $repository;");
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        return await command.ExecuteScalarAsync(cancellationToken) is long value && value != 0;
    }

    public async Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = Command(connection, """
            INSERT INTO repository_settings (registry, repository, scan_on_push, updated_at) VALUES ($registry, $repository, $scanOnPush, $now)
            ON CONFLICT (registry, repository) DO UPDATE SET scan_on_push = excluded.scan_on_push, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$scanOnPush", scanOnPush ? 1 : 0);
        command.Parameters.AddWithValue("$now", ToMilliseconds(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CatalogRepository>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var connection = Open();
        await using var command = Command(connection, """
            SELECT i.repository, MIN(i.pushed_at), COALESCE(MAX(s.scan_on_push), 0)
            FROM images i LEFT JOIN repository_settings s ON s.registry = i.registry AND s.repository = i.repository
            WHERE i.registry = $registry
            GROUP BY i.repository ORDER BY i.repository;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        var repositories = new List<CatalogRepository>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            repositories.Add(new CatalogRepository(reader.GetString(0), FromMilliseconds(reader.GetInt64(1)), reader.GetInt64(2) != 0));
        // SQLite's ORDER BY uses BINARY collation, which is ordinal for UTF-8; sort again to make the contract explicit.
        return repositories.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(tag);
        await using var connection = Open();
        await using var command = Command(connection, $"""
            SELECT {ImageColumns} FROM images
            WHERE registry = $registry AND repository = $repository
              AND EXISTS (SELECT 1 FROM json_each(images.tags) t WHERE t.value = $tag)
            ORDER BY updated_at DESC LIMIT 1;
            """);
        command.Parameters.AddWithValue("$registry", registry);
        command.Parameters.AddWithValue("$repository", repository);
        command.Parameters.AddWithValue("$tag", tag);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadImage(reader) : null;
    }
}
