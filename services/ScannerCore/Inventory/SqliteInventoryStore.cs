using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>Embedded store for the standalone mode: one row per image, the inventory as JSON.</summary>
public sealed class SqliteInventoryStore : IInventoryStore
{
    private readonly SqliteDatabase _database;

    public SqliteInventoryStore(string path)
    {
        _database = new SqliteDatabase(path, """
            CREATE TABLE IF NOT EXISTS inventories (
                image_key TEXT PRIMARY KEY,
                scanner_version TEXT NOT NULL,
                saved_at INTEGER NOT NULL,
                inventory TEXT NOT NULL);
            """);
    }

    public async Task SaveAsync(StoredInventory inventory, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = connection.CreateCommand();
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
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT inventory FROM inventories WHERE image_key = $key";
        command.Parameters.AddWithValue("$key", StoredInventory.ImageKey(registry, repository, digest));
        var json = await command.ExecuteScalarAsync(cancellationToken) as string;
        return json is null ? null : InventoryJson.Deserialize(json);
    }

    private SqliteConnection Open() => _database.Open();
}
