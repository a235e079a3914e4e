using System.Text.Json;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;
using static ImageScanning.ScanRouter.Data.SqliteStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IPackageIndexStore"/> in the ScanRouter's SQLite file: one row per (image, package key), looked up through a covering
/// index on (ecosystem, name).
/// </summary>
public sealed class SqlitePackageIndexStore : IPackageIndexStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS image_packages (
            registry   TEXT NOT NULL,
            repository TEXT NOT NULL,
            digest     TEXT NOT NULL,
            ecosystem  TEXT NOT NULL,
            name       TEXT NOT NULL,
            PRIMARY KEY (registry, repository, digest, ecosystem, name)
        ) WITHOUT ROWID;
        -- Covering: a lookup reads only this index, never the table.
        CREATE INDEX IF NOT EXISTS ix_image_packages_package ON image_packages (ecosystem, name, registry, repository, digest);
        """;

    /// <summary>CROSS JOIN keeps the key list ($keys, a JSON array of [ecosystem, name]) as the outer loop, so each key is one seek into ix_image_packages_package.</summary>
    internal const string FindImagesHoldingSql = """
        SELECT DISTINCT p.registry, p.repository, p.digest
          FROM json_each($keys) AS k
         CROSS JOIN image_packages AS p
         WHERE p.ecosystem = json_extract(k.value, '$[0]') AND p.name = json_extract(k.value, '$[1]');
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqlitePackageIndexStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        database.EnsureSchema(Schema);
        _database = database;
    }

    private SqlitePackageIndexStore(SqliteDatabase database, SqliteUnitOfWork work)
    {
        _database = database;
        _work = work;
    }

    public IPackageIndexStore In(UnitOfWork work) => new SqlitePackageIndexStore(_database, _database.Join(work));

    public Task ReplaceImagePackagesAsync(
        string registry, string repository, string digest, IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default) =>
        ReplaceImagePackagesAsync([(new ImageKey(registry, repository, digest), packages)], cancellationToken);

    /// <summary>
    /// <see cref="ReplaceImagePackagesAsync(string, string, string, IReadOnlyCollection{ImagePackageKey}, CancellationToken)"/> for many
    /// images in one transaction (a back-fill or re-index): all replaced, or none.
    /// </summary>
    public async Task ReplaceImagePackagesAsync(
        IEnumerable<(ImageKey Image, IReadOnlyCollection<ImagePackageKey> Packages)> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        // Validate everything before writing, so bad input fails without touching the index.
        var sets = images.Select(entry =>
        {
            ArgumentNullException.ThrowIfNull(entry.Image);
            ArgumentNullException.ThrowIfNull(entry.Image.Registry);
            ArgumentNullException.ThrowIfNull(entry.Image.Repository);
            ArgumentNullException.ThrowIfNull(entry.Image.Digest);
            return (entry.Image, Keys: ImagePackageKey.CanonicalSet(entry.Packages));
        }).ToList();

        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var transaction = write.BeginTransaction();
        await using var delete = Command(write.Connection,
            "DELETE FROM image_packages WHERE registry = $registry AND repository = $repository AND digest = $digest;");
        await using var insert = Command(write.Connection, """
            INSERT INTO image_packages (registry, repository, digest, ecosystem, name)
            VALUES ($registry, $repository, $digest, $ecosystem, $name);
            """);
        delete.Transaction = insert.Transaction = transaction.Transaction;
        var deleteParameters = AddKeyParameters(delete);
        var insertParameters = AddKeyParameters(insert);
        var ecosystem = insert.Parameters.Add("$ecosystem", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        delete.Prepare();
        insert.Prepare();

        foreach (var (image, keys) in sets)
        {
            SetKey(deleteParameters, image);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            SetKey(insertParameters, image);
            foreach (var key in keys)
            {
                ecosystem.Value = key.Ecosystem;
                name.Value = key.Name;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ImageKey>> FindImagesHoldingAsync(IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default)
    {
        var keys = ImagePackageKey.CanonicalSet(packages);
        if (keys.Count == 0) return [];
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection, FindImagesHoldingSql);
        command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(keys.Select(k => new[] { k.Ecosystem, k.Name })));
        var images = new List<ImageKey>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                images.Add(new ImageKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        images.Sort(ImageKeyOrder.Ordinal);
        return images;
    }

    private static SqliteParameter[] AddKeyParameters(SqliteCommand command) =>
    [
        command.Parameters.Add("$registry", SqliteType.Text),
        command.Parameters.Add("$repository", SqliteType.Text),
        command.Parameters.Add("$digest", SqliteType.Text),
    ];

    private static void SetKey(SqliteParameter[] parameters, ImageKey image)
    {
        parameters[0].Value = image.Registry;
        parameters[1].Value = image.Repository;
        parameters[2].Value = image.Digest;
    }
}
