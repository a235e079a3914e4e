using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IPackageIndexStore"/> in the ScanRouter's MongoDB database: one document per image holding an array of
/// "ecosystem␟name" strings, with a multikey index on that array. Replacing an image's set is one document replace, so it is
/// atomic without a transaction.
/// </summary>
public sealed class MongoPackageIndexStore : IPackageIndexStore
{
    public const string ImagePackagesCollection = "image_packages";

    /// <summary>Separates ecosystem from name in a stored key; the ASCII unit separator occurs in no ecosystem name.</summary>
    private const char KeySeparator = '\u001F';

    private readonly MongoServiceDatabase _database;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;

    public MongoPackageIndexStore(MongoServiceDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _indexes = new MongoIndexes(CreateIndexesAsync);
    }

    private MongoPackageIndexStore(MongoPackageIndexStore store, IClientSessionHandle session)
    {
        _database = store._database;
        _indexes = store._indexes;
        _session = session;
    }

    public IPackageIndexStore In(UnitOfWork work) => new MongoPackageIndexStore(this, _database.Join(work).Session);

    private SessionCollection ImagePackages => new(_database.Database.GetCollection<BsonDocument>(ImagePackagesCollection), _session);

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; call it at start-up to fail fast.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private Task CreateIndexesAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<BsonDocument>.IndexKeys;
        return _database.Database.GetCollection<BsonDocument>(ImagePackagesCollection).Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(
                keys.Ascending("registry").Ascending("repository").Ascending("digest"),
                new CreateIndexOptions { Unique = true, Name = "ux_image_key" }),
            new CreateIndexModel<BsonDocument>(keys.Ascending("packages"), new CreateIndexOptions { Name = "ix_packages" }),
        ], cancellationToken);
    }

    public async Task ReplaceImagePackagesAsync(
        string registry, string repository, string digest, IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default)
    {
        var filter = Key(registry, repository, digest);
        var keys = ImagePackageKey.CanonicalSet(packages).Select(Encode).ToList();
        await EnsureIndexesAsync(cancellationToken);
        var index = ImagePackages;
        if (keys.Count == 0)
        {
            // An image holding nothing is simply absent from the index.
            await index.DeleteOneAsync(filter, cancellationToken);
            return;
        }
        keys.Sort(StringComparer.Ordinal);
        var document = new BsonDocument
        {
            { "registry", registry },
            { "repository", repository },
            { "digest", digest },
            { "packages", new BsonArray(keys) },
        };
        try
        {
            await index.ReplaceOneAsync(filter, document, upsert: true, cancellationToken);
        }
        catch (MongoWriteException e) when (IsDuplicateKey(e) && !index.InTransaction)
        {
            // Two first replaces of one image raced to insert; the document exists now, so this replace is a plain update. (In a
            // transaction the error aborted the work: its retry replaces.)
            await index.ReplaceOneAsync(filter, document, upsert: true, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<ImageKey>> FindImagesHoldingAsync(IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default)
    {
        var keys = ImagePackageKey.CanonicalSet(packages).Select(Encode).ToList();
        if (keys.Count == 0) return [];
        await EnsureIndexesAsync(cancellationToken);
        // One document per image: an image matching several keys is still returned once.
        var documents = await ImagePackages.Find(Filter.In("packages", keys))
            .Project(Builders<BsonDocument>.Projection.Include("registry").Include("repository").Include("digest").Exclude("_id"))
            .ToListAsync(cancellationToken);
        var images = documents
            .Select(d => new ImageKey(d["registry"].AsString, d["repository"].AsString, d["digest"].AsString))
            .ToList();
        images.Sort(ImageKeyOrder.Ordinal);
        return images;
    }

    private static string Encode(ImagePackageKey key)
    {
        if (key.Ecosystem.Contains(KeySeparator))
            throw new ArgumentException($"Ecosystem '{key.Ecosystem}' contains a control character.", nameof(key));
        return key.Ecosystem + KeySeparator + key.Name;
    }
}
