using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>
/// The inventories collection of the scanners' Mongo database: one document per image, keyed by the image. Joined with a unit of
/// work, every call goes through its session.
/// </summary>
public sealed class MongoInventoryStore : IInventoryStore
{
    private readonly MongoServiceDatabase _database;
    private readonly IMongoCollection<InventoryDocument> _inventories;
    private readonly IClientSessionHandle? _session;

    public MongoInventoryStore(MongoServiceDatabase database) : this(database, null) { }

    /// <summary>A store on a database of its own (tests).</summary>
    public MongoInventoryStore(IMongoDatabase database) : this(new MongoServiceDatabase(database, ScannerDatabase.Name), null) { }

    private MongoInventoryStore(MongoServiceDatabase database, IClientSessionHandle? session)
    {
        _database = database;
        _inventories = database.Database.GetCollection<InventoryDocument>("inventories");
        _session = session;
    }

    public IInventoryStore In(UnitOfWork work) => new MongoInventoryStore(_database, _database.Join(work).Session);

    public Task SaveAsync(StoredInventory inventory, CancellationToken cancellationToken = default)
    {
        var document = new InventoryDocument
        {
            Id = inventory.Key, ScannerVersion = inventory.ScannerVersion, SavedAt = inventory.SavedAt.UtcDateTime,
            Inventory = InventoryJson.Serialize(inventory),
        };
        var filter = Builders<InventoryDocument>.Filter.Eq(d => d.Id, inventory.Key);
        var options = new ReplaceOptions { IsUpsert = true };
        return _session is null
            ? _inventories.ReplaceOneAsync(filter, document, options, cancellationToken)
            : _inventories.ReplaceOneAsync(_session, filter, document, options, cancellationToken);
    }

    public async Task<StoredInventory?> GetAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        var key = StoredInventory.ImageKey(registry, repository, digest);
        var filter = Builders<InventoryDocument>.Filter.Eq(d => d.Id, key);
        var find = _session is null ? _inventories.Find(filter) : _inventories.Find(_session, filter);
        var document = await find.FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : InventoryJson.Deserialize(document.Inventory);
    }

    internal sealed class InventoryDocument
    {
        [BsonId] public required string Id { get; init; }
        public required string ScannerVersion { get; init; }
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)] public DateTime SavedAt { get; init; }
        public required string Inventory { get; init; }
        [BsonExtraElements] public BsonDocument? Extra { get; init; }
    }
}
