using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// Tags: one document per (registry, repository, tag), unique, naming the digest it points at. Moving a tag to another image is one
/// single-document upsert of that document, so however pushes of one tag race, the tag always names exactly one image. Reads
/// that return <see cref="ImageRecord.Tags"/> read this collection, one query per image or page.
/// </summary>
public sealed partial class MongoImageCatalogStore
{
    public const string TagsCollection = "image_tags";

    private SessionCollection Tags => new(_database.Database.GetCollection<BsonDocument>(TagsCollection), _session);

    private static IEnumerable<CreateIndexModel<BsonDocument>> TagIndexes =>
    [
        // The tag's identity: the upsert's filter, and FindImageByTagAsync.
        new(IndexKeys.Ascending("registry").Ascending("repository").Ascending("tag"), new CreateIndexOptions { Unique = true, Name = "ux_tag" }),
        // An image's (or a page's) tags, covered: the read projects only these fields.
        new(IndexKeys.Ascending("registry").Ascending("repository").Ascending("digest").Ascending("order").Ascending("tag"),
            new CreateIndexOptions { Name = "ix_image_tags" }),
    ];

    /// <summary>
    /// Points each of <paramref name="tags"/> at <paramref name="digest"/>: a tag already there keeps its place, a new or moved one
    /// goes after the image's others, in the order given. The documents are written in ordinal order, so two concurrent
    /// transactions claim shared tags in the same order (the later one conflicts and starts again; neither waits on the other).
    /// </summary>
    private async Task PointTagsAsync(string registry, string repository, string digest, IReadOnlyList<string> tags, DateTimeOffset at, CancellationToken ct)
    {
        var first = TagOrder.Reserve(tags.Count);
        var writes = tags
            .Select((tag, i) => (Tag: tag, Order: first + i))
            .OrderBy(t => t.Tag, StringComparer.Ordinal)
            .Select(t => (WriteModel<BsonDocument>)new UpdateOneModel<BsonDocument>(
                Filter.Eq("registry", registry) & Filter.Eq("repository", repository) & Filter.Eq("tag", t.Tag),
                PointAt(digest, t.Order, at)) { IsUpsert = true })
            .ToList();
        await Tags.BulkWriteAsync(writes, ct);
    }

    /// <summary>An update pipeline: {$set: {order: (already this digest ? its order : new), digest, updatedAt}}. On insert the key fields come from the filter.</summary>
    internal static UpdateDefinition<BsonDocument> PointAt(string digest, long order, DateTimeOffset at)
    {
        var literalDigest = new BsonDocument("$literal", digest);
        var stage = new BsonDocument("$set", new BsonDocument
        {
            { "order", new BsonDocument("$cond", new BsonArray { new BsonDocument("$eq", new BsonArray { "$digest", literalDigest }), "$order", order }) },
            { "digest", literalDigest },
            { "updatedAt", Date(at) },
        });
        return Update.Pipeline(PipelineDefinition<BsonDocument, BsonDocument>.Create(stage));
    }

    /// <summary>The tags of <paramref name="images"/> in one covered query, each image's in the order they were attached.</summary>
    private async Task<Dictionary<ImageKey, List<string>>> ReadTagsAsync(IReadOnlyCollection<ImageKey> images, CancellationToken ct)
    {
        var result = images.Distinct().ToDictionary(i => i, _ => new List<string>());
        if (result.Count == 0) return result;
        // The cross product of the page's repositories and digests may name a few images off the page: they are dropped below.
        var filter = OneOf("registry", images.Select(i => i.Registry))
            & OneOf("repository", images.Select(i => i.Repository))
            & OneOf("digest", images.Select(i => i.Digest));
        var documents = await Tags.Find(filter)
            .Project(Builders<BsonDocument>.Projection.Include("registry").Include("repository").Include("digest").Include("order").Include("tag").Exclude("_id"))
            .ToListAsync(ct);
        foreach (var group in documents
                     .Select(d => (Image: new ImageKey(d["registry"].AsString, d["repository"].AsString, d["digest"].AsString),
                         Order: d["order"].ToInt64(), Tag: d["tag"].AsString))
                     .GroupBy(t => t.Image))
        {
            if (!result.TryGetValue(group.Key, out var tags)) continue;
            tags.AddRange(group.OrderBy(t => t.Order).ThenBy(t => t.Tag, StringComparer.Ordinal).Select(t => t.Tag));
        }
        return result;
    }

    /// <summary>The digest <paramref name="tag"/> names in the repository, or null.</summary>
    private async Task<string?> FindTaggedDigestAsync(string registry, string repository, string tag, CancellationToken ct)
    {
        var document = await Tags.Find(Filter.Eq("registry", registry) & Filter.Eq("repository", repository) & Filter.Eq("tag", tag))
            .Project(Builders<BsonDocument>.Projection.Include("digest").Exclude("_id"))
            .FirstOrDefaultAsync(ct);
        return document?["digest"].AsString;
    }

    private static FilterDefinition<BsonDocument> OneOf(string field, IEnumerable<string> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? Filter.Eq(field, distinct[0]) : Filter.In(field, distinct);
    }
}

/// <summary>
/// Positions for newly attached tags: increasing within this process (a block per upsert, so one push's tags keep their order) and,
/// across processes, by the clock's millisecond. Only the order of an image's tags depends on it, never which image a tag names.
/// </summary>
internal static class TagOrder
{
    private const long PerMillisecond = 65536;
    private static long _last;

    public static long Reserve(int count)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var start = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * PerMillisecond, last + 1);
            if (Interlocked.CompareExchange(ref _last, start + Math.Max(count, 1) - 1, last) == last) return start;
        }
    }
}
