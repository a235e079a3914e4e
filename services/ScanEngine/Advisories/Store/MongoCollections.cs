using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>Collection set-up the Mongo stores share, done at start outside any transaction.</summary>
public static class MongoCollections
{
    /// <summary>
    /// Creates <paramref name="name"/> unless it exists, for a collection read and written by _id only (it has no index whose build
    /// would create it): a transaction then never creates a collection, which conflicts with a concurrent one doing the same. Two
    /// replicas starting at once both try; the second is told it exists.
    /// </summary>
    public static async Task EnsureAsync(IMongoDatabase database, string name, CancellationToken ct)
    {
        var options = new ListCollectionNamesOptions { Filter = Builders<BsonDocument>.Filter.Eq("name", name) };
        using var names = await database.ListCollectionNamesAsync(options, ct);
        if ((await names.ToListAsync(ct)).Count > 0) return;
        try
        {
            await database.CreateCollectionAsync(name, cancellationToken: ct);
        }
        catch (MongoCommandException e) when (e.CodeName == "NamespaceExists")
        {
        }
    }
}
