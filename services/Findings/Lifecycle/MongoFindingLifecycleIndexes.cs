using ImageScanning.ScanEngine.Advisories.Store;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// The indexes of <see cref="MongoFindingLifecycleStore"/>'s collections, created once at start (see IMongoIndexOwner). Each
/// ends with <c>_id</c>, the tie-breaker every sort ends with, so a sorted page is read in index order. One index per selective
/// filter a query leads with (an image, a vulnerability, a package, a layer, a repository) and one per sort field for the
/// unfiltered pages; combinations are left to the planner (it intersects or filters the rows of the most selective one):
/// every index costs each of a scan's finding writes, and a scan writes thousands.
/// </summary>
public static class MongoFindingLifecycleIndexes
{
    private static IndexKeysDefinitionBuilder<BsonDocument> Keys => Builders<BsonDocument>.IndexKeys;

    public static IReadOnlyList<CreateIndexModel<BsonDocument>> Findings { get; } =
    [
        // GetImageAsync: every finding of one image (the commit's read).
        Index("ix_image", Keys.Ascending("imageKey").Ascending("_id")),
        // The open-findings gauge (status ACTIVE, grouped by image, severity and fix): the group reads only these keys, so the
        // count is answered from the index without reading a document.
        Index("ix_open_gauge", Keys.Ascending("status").Ascending("registry").Ascending("repository").Ascending("digest")
            .Ascending("severity").Ascending("fixAvailable")),
        // The default page (open findings by severity) and ListOpenFindingsAsync.
        Index("ix_status_severity", Keys.Ascending("status").Ascending("severityRank").Ascending("_id")),
        // Every finding by severity, unfiltered: Inspector's ListFindings default (without it, a sort of the whole collection).
        Index("ix_severity", Keys.Ascending("severityRank").Ascending("_id")),
        // A registry's findings (ECR's per-registry views and counts), and a repository's within it.
        Index("ix_registry_repository", Keys.Ascending("registry").Ascending("repository").Ascending("_id")),
        // One image's findings (a digest is near unique), by severity as the console shows them.
        Index("ix_digest_severity", Keys.Ascending("digest").Ascending("severityRank").Ascending("_id")),
        // "Which images have CVE-…": filter and sort by vulnerability.
        Index("ix_vulnerability", Keys.Ascending("vulnerabilityId").Ascending("_id")),
        // Filter and sort by package.
        Index("ix_package", Keys.Ascending("packageName").Ascending("_id")),
        Index("ix_layer", Keys.Ascending("layerHash").Ascending("_id")),
        // Repository equality or prefix ("team/*" is an anchored regex, which uses an index range), and sort by repository.
        Index("ix_repository", Keys.Ascending("repository").Ascending("_id")),
        Index("ix_last_observed", Keys.Ascending("lastObservedAt").Ascending("_id")),
        Index("ix_first_observed", Keys.Ascending("firstObservedAt").Ascending("_id")),
        Index("ix_updated", Keys.Ascending("updatedAt").Ascending("_id")),
    ];

    public static IReadOnlyList<CreateIndexModel<BsonDocument>> Rules { get; } =
    [
        Index("ix_created", Keys.Ascending("createdAt").Ascending("_id")),
    ];

    /// <summary>
    /// Creates the indexes and the image collection (read and written by _id only, so it has no index of its own), outside any
    /// transaction: a transaction then never creates a collection, which would conflict with a concurrent one doing the same.
    /// </summary>
    public static async Task CreateAsync(IMongoDatabase database, CancellationToken ct)
    {
        await database.GetCollection<BsonDocument>(MongoFindingLifecycleStore.FindingsCollection).Indexes.CreateManyAsync(Findings, ct);
        await database.GetCollection<BsonDocument>(MongoFindingLifecycleStore.RulesCollection).Indexes.CreateManyAsync(Rules, ct);
        await MongoCollections.EnsureAsync(database, MongoFindingLifecycleStore.ImagesCollection, ct);
    }

    private static CreateIndexModel<BsonDocument> Index(string name, IndexKeysDefinition<BsonDocument> keys) =>
        new(keys, new CreateIndexOptions { Name = name });
}
