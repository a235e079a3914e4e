using ImageScanning.Contracts;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// Repositories: one exists while the catalog holds an image of it or a document of <c>repositories</c> (unique per registry and
/// name; CreateRepository wrote it). Creation and deletion are transactions (their own, or the unit of work's), as in SQLite.
/// </summary>
public sealed partial class MongoImageCatalogStore
{
    public const string RepositoriesCollection = "repositories";

    private SessionCollection Repositories => new(_database.Database.GetCollection<BsonDocument>(RepositoriesCollection), _session);

    private static CreateIndexModel<BsonDocument> RepositoryIndex =>
        new(IndexKeys.Ascending("registry").Ascending("repository"), new CreateIndexOptions { Unique = true, Name = "ux_repository" });

    private static FilterDefinition<BsonDocument> RepositoryKey(string registry, string repository) =>
        Filter.Eq("registry", registry) & Filter.Eq("repository", repository);

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken = default) =>
        (await ListRepositorySummariesAsync(registry, cancellationToken)).Select(r => r.Name).ToList();

    public async Task<IReadOnlyList<CatalogRepositoryRecord>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        return await ReadRepositoriesAsync(Filter.Eq("registry", registry), cancellationToken);
    }

    public async Task<CatalogRepositoryRecord?> GetRepositoryAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        return (await ReadRepositoriesAsync(RepositoryKey(registry, repository), cancellationToken)).SingleOrDefault();
    }

    public async Task<bool> TryCreateRepositoryAsync(string registry, CatalogRepositoryRecord repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken); // before any transaction: index builds cannot join one
        if (_session is null)
            return await MongoStoreTransaction.RunAsync(_database, work => In(work).TryCreateRepositoryAsync(registry, repository, cancellationToken), cancellationToken);

        // In the transaction: a concurrent create of the same name conflicts on the unique index and the retry finds the document;
        // a push racing it conflicts on nothing, and then both exist, as ECR would have them (the repository, then its image).
        var key = RepositoryKey(registry, repository.Name);
        if (await Images.Find(key).AnyAsync(cancellationToken) || await Repositories.Find(key).AnyAsync(cancellationToken)) return false;
        await Repositories.InsertOneAsync(new BsonDocument
        {
            { "registry", registry },
            { "repository", repository.Name },
            { "createdAt", Date(repository.CreatedAt) },
            { "imageTagMutability", repository.ImageTagMutability },
        }, cancellationToken);
        return true;
    }

    public async Task<RepositoryDeletion> DeleteRepositoryAsync(string registry, string repository, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        if (_session is null)
            return await MongoStoreTransaction.RunAsync(_database, work => In(work).DeleteRepositoryAsync(registry, repository, force, cancellationToken), cancellationToken);

        var key = RepositoryKey(registry, repository);
        var existing = (await ReadRepositoriesAsync(key, cancellationToken)).SingleOrDefault();
        if (existing is null) return new RepositoryDeletion(RepositoryDeletionOutcome.NOT_FOUND, null, []);
        if (existing.ImageCount > 0 && !force) return new RepositoryDeletion(RepositoryDeletionOutcome.NOT_EMPTY, existing, []);

        var documents = await Images.Find(key).Sort(ImageKeyOrderSort).ToListAsync(cancellationToken);
        var images = await ReadImagesAsync(documents, cancellationToken);
        await Images.DeleteManyAsync(key, cancellationToken);
        await Tags.DeleteManyAsync(key, cancellationToken);
        await Repositories.DeleteManyAsync(key, cancellationToken);
        return new RepositoryDeletion(RepositoryDeletionOutcome.DELETED, existing, images);
    }

    /// <summary>The repositories <paramref name="filter"/> (on registry and maybe repository) selects, from both collections, ordinal order.</summary>
    private async Task<List<CatalogRepositoryRecord>> ReadRepositoriesAsync(FilterDefinition<BsonDocument> filter, CancellationToken cancellationToken)
    {
        // A cursor, not a distinct command: its answer is one document, so a registry with enough repositories would exceed 16 MiB.
        var groups = await Images.Aggregate()
            .Match(filter)
            .Group(new BsonDocument
            {
                ["_id"] = "$repository",
                ["firstPush"] = new BsonDocument("$min", "$pushedAt"),
                ["images"] = new BsonDocument("$sum", 1),
            })
            .ToListAsync(cancellationToken);
        var created = (await Repositories.Find(filter).ToListAsync(cancellationToken)).ToDictionary(d => d["repository"].AsString, StringComparer.Ordinal);
        var pushed = groups.ToDictionary(g => g["_id"].AsString, StringComparer.Ordinal);
        // Ordered here: the server compares UTF-8 bytes, the contract ordinal UTF-16.
        return pushed.Keys.Union(created.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(name =>
        {
            var entry = created.GetValueOrDefault(name);
            var group = pushed.GetValueOrDefault(name);
            var createdAt = (entry is null ? null : OptionalDate(entry, "createdAt"))
                ?? (group is not null && group["firstPush"].IsBsonDateTime
                    ? DateTimeOffset.FromUnixTimeMilliseconds(group["firstPush"].AsBsonDateTime.MillisecondsSinceEpoch)
                    : DateTimeOffset.UnixEpoch);
            return new CatalogRepositoryRecord(name, createdAt,
                (entry is null ? null : OptionalString(entry, "imageTagMutability")) ?? "MUTABLE", group?["images"].ToInt32() ?? 0);
        }).ToList();
    }
}
