using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>The inventories table of the scanners' SQLite file: one row per image, the inventory as JSON.</summary>
public sealed class SqliteInventoryStore : IInventoryStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS inventories (
            image_key TEXT PRIMARY KEY,
            scanner_version TEXT NOT NULL,
            saved_at INTEGER NOT NULL,
            inventory TEXT NOT NULL);
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteInventoryStore(SqliteDatabase database)
    {
        _database = database;
        database.EnsureSchema(Schema);
    }

    /// <summary>A store on a file of its own (tools, benchmarks, tests).</summary>
    public SqliteInventoryStore(string path) : this(new SqliteDatabase(path)) { }

    private SqliteInventoryStore(SqliteDatabase database, SqliteUnitOfWork work)
    {
        _database = database;
        _work = work;
    }

    public IInventoryStore In(UnitOfWork work) => new SqliteInventoryStore(_database, _database.Join(work));

    public async Task SaveAsync(StoredInventory inventory, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var command = write.Connection.CreateCommand();
        command.Transaction = write.Transaction;
        command.CommandText = """
            INSERT INTO inventories (image_key, scanner_version, saved_at, inventory) VALUES ($key, $version, $at, $inventory)
            ON CONFLICT (image_key) DO UPDATE SET scanner_version = excluded.scanner_version, saved_at = excluded.saved_at, inventory = excluded.inventory;
            """;
        command.Parameters.AddWithValue("$key", inventory.Key);
        command.Parameters.AddWithValue("$version", inventory.ScannerVersion);
        command.Parameters.AddWithValue("$at", inventory.SavedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$inventory", InventoryJson.Serialize(inventory));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<StoredInventory?> GetAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.Transaction = _work?.Transaction;
        command.CommandText = "SELECT inventory FROM inventories WHERE image_key = $key";
        command.Parameters.AddWithValue("$key", StoredInventory.ImageKey(registry, repository, digest));
        var json = await command.ExecuteScalarAsync(cancellationToken) as string;
        return json is null ? null : InventoryJson.Deserialize(json);
    }
}
