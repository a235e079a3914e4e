using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// The reverse package index: which catalogued images hold a package, so a new advisory finds the images to re-scan in one query.
/// Implementations: <see cref="SqlitePackageIndexStore"/> and <see cref="MongoPackageIndexStore"/>, one contract suite.
/// </summary>
public interface IPackageIndexStore : ITransactionalStore<IPackageIndexStore>
{
    /// <summary>
    /// Replaces the image's set of package keys in one atomic step; idempotent. Keys are canonicalised
    /// (<see cref="ImagePackageKey.Canonical"/>) and de-duplicated; an empty set removes the image from the index.
    /// </summary>
    /// <exception cref="ArgumentException">A key without an ecosystem or a name.</exception>
    Task ReplaceImagePackagesAsync(
        string registry, string repository, string digest, IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default);

    /// <summary>
    /// The distinct images holding any of <paramref name="packages"/> (compared after canonicalisation), in
    /// (registry, repository, digest) ordinal order. One indexed query, whatever the catalog's size.
    /// </summary>
    Task<IReadOnlyList<ImageKey>> FindImagesHoldingAsync(IReadOnlyCollection<ImagePackageKey> packages, CancellationToken cancellationToken = default);
}
