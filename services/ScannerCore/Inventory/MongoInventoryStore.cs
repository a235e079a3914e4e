using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>Production store: one document per image in the inventories database, keyed by the image.</summary>
public sealed class MongoInventoryStore(IMongoDatabase database) : IInventoryStore
{
    private readonly IMongoCollection<InventoryDocument> _inventories = database.GetCollection<InventoryDocument>("inventories");

    public Task SaveAsync(StoredInventory inventory, CancellationToken cancellationToken = default) =>
        _inventories.ReplaceOneAsync(
            d => d.Id == inventory.Key,
            new InventoryDocument
            {
                Id = inventory.Key, ScannerVersion = inventory.ScannerVersion, SavedAt = inventory.SavedAt.UtcDateTime,
                Inventory = InventoryJson.Serialize(inventory),
            },
            new ReplaceOptions { IsUpsert = true },
            cancellationToken);

    public async Task<StoredInventory?> GetAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        var key = StoredInventory.ImageKey(registry, repository, digest);
        var document = await _inventories.Find(d => d.Id == key).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : InventoryJson.Deserialize(document.Inventory);
    }

    private sealed class InventoryDocument
    {
        [BsonId] public required string Id { get; init; }
        public required string ScannerVersion { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime SavedAt { get; init; }
        public required string Inventory { get; init; }
        [BsonExtraElements] public BsonDocument? Extra { get; init; }
    }
}
