using ImageScanning.Contracts;
using Microsoft.Data.Sqlite;
using static ImageScanning.ScanRouter.Data.SqliteStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// Repositories: one exists while the catalog holds an image of it or a row of <c>repositories</c> (CreateRepository made it,
/// before or after its first push). Listings union both; a deletion removes both in one IMMEDIATE transaction.
/// </summary>
public sealed partial class SqliteImageCatalogStore
{
    internal const string RepositoriesSchema = """
        CREATE TABLE IF NOT EXISTS repositories (
            registry             TEXT NOT NULL,
            repository           TEXT NOT NULL,
            created_at           INTEGER NOT NULL,
            image_tag_mutability TEXT NOT NULL,
            PRIMARY KEY (registry, repository)
        ) WITHOUT ROWID;
        """;

    /// <summary>Every repository of a registry: its name, the created row's time else the first push, its mutability, its image count.</summary>
    private const string RepositorySummariesSql = """
        SELECT n.name, COALESCE(r.created_at, i.first_push), COALESCE(r.image_tag_mutability, 'MUTABLE'), COALESCE(i.images, 0)
          FROM (SELECT repository AS name FROM images WHERE registry = $registry
                UNION SELECT repository FROM repositories WHERE registry = $registry) n
          LEFT JOIN repositories r ON r.registry = $registry AND r.repository = n.name
          LEFT JOIN (SELECT repository, MIN(pushed_at) AS first_push, COUNT(*) AS images
                       FROM images WHERE registry = $registry GROUP BY repository) i ON i.repository = n.name;
        """;

    /// <summary>
    /// One repository, read by primary-key prefix only (the union above would read the whole registry first), so existence checks
    /// on hot paths (StartImageScan, DescribeImages) stay cheap.
    /// </summary>
    private const string RepositorySql = """
        SELECT $repository, COALESCE(r.created_at, i.first_push), COALESCE(r.image_tag_mutability, 'MUTABLE'), i.images
          FROM (SELECT MIN(pushed_at) AS first_push, COUNT(*) AS images FROM images WHERE registry = $registry AND repository = $repository) i
          LEFT JOIN repositories r ON r.registry = $registry AND r.repository = $repository
         WHERE r.repository IS NOT NULL OR i.images > 0;
        """;

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken = default) =>
        (await ListRepositorySummariesAsync(registry, cancellationToken)).Select(r => r.Name).ToList();

    public async Task<IReadOnlyList<CatalogRepositoryRecord>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await using var read = _database.OpenForRead(_work);
        var repositories = await ReadRepositoriesAsync(read.Connection, registry, null, cancellationToken);
        // Ordered here: SQLite's default collation compares bytes, the contract ordinal UTF-16.
        return repositories.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<CatalogRepositoryRecord?> GetRepositoryAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var read = _database.OpenForRead(_work);
        return (await ReadRepositoriesAsync(read.Connection, registry, repository, cancellationToken)).SingleOrDefault();
    }

    public async Task<bool> TryCreateRepositoryAsync(string registry, CatalogRepositoryRecord repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        // IMMEDIATE: no push can catalogue an image of the repository between the look and the insert.
        await using var transaction = write.BeginTransaction();
        await using (var images = Command(write.Connection, "SELECT 1 FROM images WHERE registry = $registry AND repository = $repository LIMIT 1;"))
        {
            images.Parameters.AddWithValue("$registry", registry);
            images.Parameters.AddWithValue("$repository", repository.Name);
            if (await images.ExecuteScalarAsync(cancellationToken) is not null) return false;
        }
        await using var insert = Command(write.Connection, """
            INSERT OR IGNORE INTO repositories (registry, repository, created_at, image_tag_mutability)
            VALUES ($registry, $repository, $createdAt, $mutability);
            """);
        insert.Parameters.AddWithValue("$registry", registry);
        insert.Parameters.AddWithValue("$repository", repository.Name);
        insert.Parameters.AddWithValue("$createdAt", ToMilliseconds(repository.CreatedAt));
        insert.Parameters.AddWithValue("$mutability", repository.ImageTagMutability);
        var created = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<RepositoryDeletion> DeleteRepositoryAsync(string registry, string repository, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var transaction = write.BeginTransaction();
        var connection = write.Connection;
        var existing = (await ReadRepositoriesAsync(connection, registry, repository, cancellationToken)).SingleOrDefault();
        if (existing is null) return new RepositoryDeletion(RepositoryDeletionOutcome.NOT_FOUND, null, []);
        if (existing.ImageCount > 0 && !force) return new RepositoryDeletion(RepositoryDeletionOutcome.NOT_EMPTY, existing, []);

        List<ImageRecord> images;
        await using (var select = Command(connection,
            $"SELECT {ImageColumns} FROM images WHERE registry = $registry AND repository = $repository ORDER BY digest;"))
        {
            select.Parameters.AddWithValue("$registry", registry);
            select.Parameters.AddWithValue("$repository", repository);
            images = await ReadImagesAsync(select, cancellationToken);
        }
        foreach (var table in new[] { "images", "repositories" })
        {
            await using var delete = Command(connection, $"DELETE FROM {table} WHERE registry = $registry AND repository = $repository;");
            delete.Parameters.AddWithValue("$registry", registry);
            delete.Parameters.AddWithValue("$repository", repository);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new RepositoryDeletion(RepositoryDeletionOutcome.DELETED, existing, images);
    }

    private static async Task<List<CatalogRepositoryRecord>> ReadRepositoriesAsync(
        SqliteConnection connection, string registry, string? repository, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, repository is null ? RepositorySummariesSql : RepositorySql);
        command.Parameters.AddWithValue("$registry", registry);
        if (repository is not null) command.Parameters.AddWithValue("$repository", repository);
        var repositories = new List<CatalogRepositoryRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            repositories.Add(new CatalogRepositoryRecord(reader.GetString(0), FromMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetInt32(3)));
        return repositories;
    }
}
