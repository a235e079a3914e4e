using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.CveFeed.Extensions;

/// <summary>
/// The advisory store as an index owner for MongoIndexStartup: ScanEngine does not reference ServiceDefaults, so
/// <see cref="MongoAdvisoryStore"/> cannot implement <see cref="IMongoIndexOwner"/> itself. Nothing to do on SQLite.
/// </summary>
internal sealed class MongoAdvisoryIndexOwner(IAdvisoryStore store) : IMongoIndexOwner
{
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) =>
        store is MongoAdvisoryStore mongo ? mongo.EnsureIndexesAsync(cancellationToken) : Task.CompletedTask;
}
