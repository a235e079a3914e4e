using System.Text;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IPackageIndexStore"/> in the ScanRouter's MongoDB database: an image's "ecosystem␟name" keys in numbered chunk
/// documents of at most <see cref="MaxChunkKeyBytes"/> each (an image with 50,000 packages in one document could pass MongoDB's
/// 16 MiB limit with long names), with a multikey index on the keys. Replacing an image's set rewrites its chunks and deletes the
/// surplus in one transaction (its own, or the unit of work's), so a lookup never sees half a set.
/// </summary>
public sealed class MongoPackageIndexStore : IPackageIndexStore, IMongoIndexOwner
{
    public const string ImagePackagesCollection = "image_packages";

    /// <summary>The key bytes one chunk document holds (UTF-8, before BSON's per-element overhead): far below 16 MiB, whatever the names.</summary>
    public const int MaxChunkKeyBytes = 1024 * 1024;

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

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; MongoIndexStartup calls it at start-up.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private async Task CreateIndexesAsync(CancellationToken cancellationToken)
    {
        var collection = _database.Database.GetCollection<BsonDocument>(ImagePackagesCollection);
        // The previous version's one-document-per-image key would refuse a second chunk; its documents (no chunk) are replaced with
        // the image's next set.
        try { await collection.Indexes.DropOneAsync("ux_image_key", cancellationToken); }
        catch (MongoCommandException e) when (e.Code is IndexNotFoundCode or NamespaceNotFoundCode) { }
        await collection.Indexes.CreateManyAsync(
        [
            // A chunk's identity (the replace's filter) and its image's surplus chunks (the delete's: equality on the key, a range on chunk).
            new CreateIndexModel<BsonDocument>(
                IndexKeys.Ascending("registry").Ascending("repository").Ascending("digest").Ascending("chunk"),
                new CreateIndexOptions { Unique = true, Name = "ux_image_chunk" }),
            new CreateIndexModel<BsonDocument>(IndexKeys.Ascending("packages"), new CreateIndexOptions { Name = "ix_packages" }),
        ], cancellationToken);
    }

    private const int IndexNotFoundCode = 27;
    private const int NamespaceNotFoundCode = 26;

    public async Task ReplaceImagePackagesAsync(
        string registry, string repository, string digest, IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default)
    {
        var image = Key(registry, repository, digest);
        var chunks = Chunk(ImagePackageKey.CanonicalSet(packages).Select(Encode));
        await EnsureIndexesAsync(cancellationToken); // before any transaction: index builds cannot join one
        if (_session is null)
        {
            await MongoStoreTransaction.RunAsync(_database, async work =>
            {
                await ((MongoPackageIndexStore)In(work)).WriteChunksAsync(image, registry, repository, digest, chunks, cancellationToken);
                return true;
            }, cancellationToken);
            return;
        }
        await WriteChunksAsync(image, registry, repository, digest, chunks, cancellationToken);
    }

    private async Task WriteChunksAsync(
        FilterDefinition<BsonDocument> image, string registry, string repository, string digest, IReadOnlyList<List<string>> chunks, CancellationToken ct)
    {
        await EnsureIndexesAsync(ct);
        var writes = chunks.Select((keys, chunk) => (WriteModel<BsonDocument>)new ReplaceOneModel<BsonDocument>(
            image & Filter.Eq("chunk", chunk), ChunkDocument(registry, repository, digest, chunk, keys)) { IsUpsert = true }).ToList();
        // The surplus: chunks past the new set's last, and a previous version's document (no chunk). An image holding nothing is
        // simply absent from the index: its surplus is every chunk.
        writes.Add(new DeleteManyModel<BsonDocument>(image & Filter.Or(Filter.Gte("chunk", chunks.Count), Filter.Eq("chunk", BsonNull.Value))));
        await ImagePackages.BulkWriteAsync(writes, ct);
    }

    public async Task<IReadOnlyList<ImageKey>> FindImagesHoldingAsync(IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default)
    {
        var keys = ImagePackageKey.CanonicalSet(packages).Select(Encode).ToList();
        if (keys.Count == 0) return [];
        await EnsureIndexesAsync(cancellationToken);
        var documents = await ImagePackages.Find(Filter.In("packages", keys))
            .Project(Builders<BsonDocument>.Projection.Include("registry").Include("repository").Include("digest").Exclude("_id"))
            .ToListAsync(cancellationToken);
        // An image matching in several chunks (or several keys) is returned once.
        var images = documents
            .Select(d => new ImageKey(d["registry"].AsString, d["repository"].AsString, d["digest"].AsString))
            .Distinct()
            .ToList();
        images.Sort(ImageKeyOrder.Ordinal);
        return images;
    }

    /// <summary>The stored document of one chunk of an image's keys.</summary>
    internal static BsonDocument ChunkDocument(string registry, string repository, string digest, int chunk, IEnumerable<string> keys) => new()
    {
        { "registry", registry },
        { "repository", repository },
        { "digest", digest },
        { "chunk", chunk },
        { "packages", new BsonArray(keys) },
    };

    /// <summary>The keys, ordinal, cut into chunks of at most <paramref name="maxChunkKeyBytes"/> UTF-8 bytes each.</summary>
    /// <exception cref="ArgumentException">One key alone is longer than a chunk.</exception>
    internal static IReadOnlyList<List<string>> Chunk(IEnumerable<string> keys, int maxChunkKeyBytes = MaxChunkKeyBytes)
    {
        var sorted = keys.ToList();
        sorted.Sort(StringComparer.Ordinal);
        var chunks = new List<List<string>>();
        var current = new List<string>();
        var bytes = 0;
        foreach (var key in sorted)
        {
            var size = Encoding.UTF8.GetByteCount(key);
            if (size > maxChunkKeyBytes)
                throw new ArgumentException(
                    $"MongoPackageIndexStore: a package key of {size} bytes exceeds the chunk limit of {maxChunkKeyBytes} bytes (MaxChunkKeyBytes).", nameof(keys));
            if (bytes + size > maxChunkKeyBytes)
            {
                chunks.Add(current);
                current = [];
                bytes = 0;
            }
            current.Add(key);
            bytes += size;
        }
        if (current.Count > 0) chunks.Add(current);
        return chunks;
    }

    internal static string Encode(ImagePackageKey key)
    {
        if (key.Ecosystem.Contains(KeySeparator))
            throw new ArgumentException($"Ecosystem '{key.Ecosystem}' contains a control character.", nameof(key));
        return key.Ecosystem + KeySeparator + key.Name;
    }
}
