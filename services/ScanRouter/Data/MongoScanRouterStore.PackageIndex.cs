using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// The reverse package index: one document per image holding an array of "ecosystem␟name" strings, with a multikey
/// index on that array. Replacing an image's set is one document replace, so it is atomic without a transaction.
/// </summary>
public sealed partial class MongoScanRouterStore
{
    /// <summary>Separates ecosystem from name in a stored key; the ASCII unit separator occurs in no ecosystem name.</summary>
    private const char KeySeparator = '\u001F';

    private Task CreatePackageIndexesAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<BsonDocument>.IndexKeys;
        return _imagePackages.Indexes.CreateManyAsync(
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
        if (keys.Count == 0)
        {
            // An image holding nothing is simply absent from the index.
            await _imagePackages.DeleteOneAsync(filter, cancellationToken);
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
            await _imagePackages.ReplaceOneAsync(filter, document, new ReplaceOptions { IsUpsert = true }, cancellationToken);
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            // Two first replaces of one image raced to insert; the document exists now, so this replace is a plain update.
            await _imagePackages.ReplaceOneAsync(filter, document, new ReplaceOptions { IsUpsert = true }, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<ImageKey>> FindImagesHoldingAsync(IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default)
    {
        var keys = ImagePackageKey.CanonicalSet(packages).Select(Encode).ToList();
        if (keys.Count == 0) return [];
        await EnsureIndexesAsync(cancellationToken);
        // One document per image: an image matching several keys is still returned once.
        var documents = await _imagePackages.Find(Filter.In("packages", keys))
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
