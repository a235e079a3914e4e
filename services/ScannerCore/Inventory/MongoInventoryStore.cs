using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>
/// The inventories collection of the scanners' Mongo database: one document per image, keyed by the image:
/// <c>{ _id: imageKey, ScannerVersion, SavedAt, Inventory: &lt;Brotli JSON&gt;, InventoryEncoding: "brotli" }</c> (the field
/// names the earlier class-mapped documents had; an uncompressed <c>Inventory</c> string still reads). An inventory still over the
/// 16 MiB document limit compressed fails with <see cref="MongoDocumentTooLargeException"/> before the write: a permanent failure,
/// so the scan faults and Findings records it FAILED with that reason. Joined with a unit of work, every call goes through its session.
/// </summary>
public sealed class MongoInventoryStore : IInventoryStore, IMongoIndexOwner
{
    public const string Collection = "inventories";

    private readonly MongoServiceDatabase _database;
    private readonly IMongoCollection<BsonDocument> _inventories;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;

    public MongoInventoryStore(MongoServiceDatabase database) : this(database, null, null) { }

    /// <summary>A store on a database of its own (tests).</summary>
    public MongoInventoryStore(IMongoDatabase database) : this(new MongoServiceDatabase(database, ScannerDatabase.Name), null, null) { }

    private MongoInventoryStore(MongoServiceDatabase database, IClientSessionHandle? session, MongoIndexes? indexes)
    {
        _database = database;
        _inventories = database.Database.GetCollection<BsonDocument>(Collection);
        _session = session;
        // Read and written by _id only: no index, but the collection is created at start, outside any transaction.
        _indexes = indexes ?? new MongoIndexes(ct => MongoCollections.EnsureAsync(database.Database, Collection, ct));
    }

    public IInventoryStore In(UnitOfWork work) => new MongoInventoryStore(_database, _database.Join(work).Session, _indexes);

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    public async Task SaveAsync(StoredInventory inventory, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var document = ToDocument(inventory);
        var filter = Builders<BsonDocument>.Filter.Eq("_id", inventory.Key);
        var options = new ReplaceOptions { IsUpsert = true };
        await (_session is null
            ? _inventories.ReplaceOneAsync(filter, document, options, cancellationToken)
            : _inventories.ReplaceOneAsync(_session, filter, document, options, cancellationToken));
    }

    public async Task<StoredInventory?> GetAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var key = StoredInventory.ImageKey(registry, repository, digest);
        var filter = Builders<BsonDocument>.Filter.Eq("_id", key);
        var find = _session is null ? _inventories.Find(filter) : _inventories.Find(_session, filter);
        var document = await find.FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : FromDocument(document);
    }

    /// <summary>The stored document of an inventory, checked against the document limit (the offline size tests measure it).</summary>
    public static BsonDocument ToDocument(StoredInventory inventory)
    {
        var document = new BsonDocument
        {
            ["_id"] = inventory.Key, ["ScannerVersion"] = inventory.ScannerVersion, ["SavedAt"] = new BsonDateTime(inventory.SavedAt.UtcDateTime),
        };
        MongoCompressedJson.Set(document, "Inventory", InventoryJson.Serialize(inventory));
        MongoDocumentLimit.EnsureFits(document, Collection, $"the inventory of {inventory.Key} ({inventory.Packages.Count} packages)");
        return document;
    }

    public static StoredInventory FromDocument(BsonDocument document) => InventoryJson.Deserialize(MongoCompressedJson.Read(document, "Inventory"));
}
