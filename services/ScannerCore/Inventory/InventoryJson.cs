using System.Text.Json;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>How inventories are serialised inside the stores.</summary>
internal static class InventoryJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(StoredInventory inventory) => JsonSerializer.Serialize(inventory, Options);

    /// <summary>A row that no longer parses (written by an incompatible version) is reported, not thrown past the caller's handling.</summary>
    public static StoredInventory Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredInventory>(json, Options) ?? throw new InvalidDataException("Stored inventory is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Stored inventory is not readable: {e.Message}", e);
        }
    }
}
