using ImageScanning.Contracts;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Repository-level data: the legacy scanOnPush setting (one document per repository), summaries, tag lookup.</summary>
public sealed partial class MongoScanRouterStore
{
    public const string RepositorySettingsCollection = "repository_settings";

    private IMongoCollection<BsonDocument> RepositorySettings => _images.Database.GetCollection<BsonDocument>(RepositorySettingsCollection);

    private static string RepositoryId(string registry, string repository) => registry + "/" + repository;

    public async Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        var document = await RepositorySettings.Find(Filter.Eq("_id", RepositoryId(registry, repository))).FirstOrDefaultAsync(cancellationToken);
        return document is not null && document.GetValue("scanOnPush", false).AsBoolean;
    }

    public Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        var update = Update.Set("registry", registry).Set("repository", repository).Set("scanOnPush", scanOnPush)
            .Set("updatedAt", Date(DateTimeOffset.UtcNow));
        return RepositorySettings.UpdateOneAsync(Filter.Eq("_id", RepositoryId(registry, repository)), update,
            new UpdateOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<IReadOnlyList<CatalogRepository>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var groups = await _images.Aggregate()
            .Match(Filter.Eq("registry", registry))
            .Group(new BsonDocument { ["_id"] = "$repository", ["createdAt"] = new BsonDocument("$min", "$pushedAt") })
            .ToListAsync(cancellationToken);
        var settings = await RepositorySettings.Find(Filter.Eq("registry", registry) & Filter.Eq("scanOnPush", true))
            .ToListAsync(cancellationToken);
        var scanOnPush = settings.Select(s => s["repository"].AsString).ToHashSet(StringComparer.Ordinal);
        return groups
            .Select(g => new CatalogRepository(g["_id"].AsString,
                g["createdAt"].IsBsonDateTime ? DateTimeOffset.FromUnixTimeMilliseconds(g["createdAt"].AsBsonDateTime.MillisecondsSinceEpoch) : DateTimeOffset.UnixEpoch,
                scanOnPush.Contains(g["_id"].AsString)))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(tag);
        await EnsureIndexesAsync(cancellationToken);
        var document = await _images.Find(Filter.Eq("registry", registry) & Filter.Eq("repository", repository) & Filter.AnyEq("tags", tag))
            .Sort(Builders<BsonDocument>.Sort.Descending("updatedAt")).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : ReadImage(document);
    }
}
