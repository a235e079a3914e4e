using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IImageCatalogStore"/> in the ScanRouter's MongoDB database: one document per image, one per recorded delivery id.
/// Atomicity: unique indexes (deliveries, image key), single-document update operators and conditional filters (quota reservation,
/// scan status ordering, dispatch counts); in a unit of work, its transaction. Scan status and dispatch writes: MongoImageCatalogStore.Scans.cs.
/// </summary>
public sealed partial class MongoImageCatalogStore : IImageCatalogStore
{
    public const string DeliveriesCollection = "deliveries";
    public const string ImagesCollection = "images";

    private readonly MongoServiceDatabase _database;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;

    public MongoImageCatalogStore(MongoServiceDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _indexes = new MongoIndexes(CreateIndexesAsync);
    }

    private MongoImageCatalogStore(MongoImageCatalogStore store, IClientSessionHandle session)
    {
        _database = store._database;
        _indexes = store._indexes;
        _session = session;
    }

    public IImageCatalogStore In(UnitOfWork work) => new MongoImageCatalogStore(this, _database.Join(work).Session);

    private SessionCollection Images => new(_database.Database.GetCollection<BsonDocument>(ImagesCollection), _session);
    private SessionCollection Deliveries => new(_database.Database.GetCollection<BsonDocument>(DeliveriesCollection), _session);

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; call it at start-up to fail fast.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private async Task CreateIndexesAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<BsonDocument>.IndexKeys;
        await _database.Database.GetCollection<BsonDocument>(ImagesCollection).Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(
                keys.Ascending("registry").Ascending("repository").Ascending("digest"),
                new CreateIndexOptions { Unique = true, Name = "ux_image_key" }),
            new CreateIndexModel<BsonDocument>(
                keys.Ascending("registry").Ascending("repository").Ascending("tags"),
                new CreateIndexOptions { Name = "ix_repository_tags" }),
            // The stuck-scan sweeper reads only IN_PROGRESS images, in key order.
            new CreateIndexModel<BsonDocument>(
                keys.Ascending("scanStatus").Ascending("registry").Ascending("repository").Ascending("digest"),
                new CreateIndexOptions { Name = "ix_scan_status_key" }),
        ], cancellationToken);
        await _database.Database.GetCollection<BsonDocument>(DeliveriesCollection).Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(keys.Ascending("receivedAt"), new CreateIndexOptions { Name = "ix_received_at" }),
            cancellationToken: cancellationToken);
    }

    public async Task<bool> TryRecordDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        await EnsureIndexesAsync(cancellationToken);
        var deliveries = Deliveries;
        // In a transaction a duplicate-key error would abort the whole unit of work: look first. Two concurrent works inserting the
        // same id then conflict (a transient transaction error), and the retry finds the document.
        if (deliveries.InTransaction && await deliveries.Find(Filter.Eq("_id", deliveryId)).AnyAsync(cancellationToken)) return false;
        try
        {
            await deliveries.InsertOneAsync(new BsonDocument { { "_id", deliveryId }, { "receivedAt", Date(at) } }, cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (IsDuplicateKey(e) && !deliveries.InTransaction)
        {
            return false;
        }
    }

    public async Task<long> PurgeDeliveriesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var result = await Deliveries.DeleteManyAsync(Filter.Lt("receivedAt", Date(cutoff)), cancellationToken);
        return result.DeletedCount;
    }

    public async Task<ImageRecord> UpsertImageAsync(ImageRecord image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(image.Tags);
        await EnsureIndexesAsync(cancellationToken);

        var tags = image.Tags.Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal).ToList();
        // The same merge as ImageMerge.Merge, as single-document update operators. The key fields come from the
        // equality filter on insert.
        var updates = new List<UpdateDefinition<BsonDocument>>
        {
            tags.Count > 0 ? Update.AddToSetEach("tags", tags) : Update.SetOnInsert("tags", new BsonArray()),
            Update.Set("mediaType", image.MediaType ?? ""),
            Update.Min("pushedAt", Date(image.PushedAt)),
            Update.Set("updatedAt", Date(image.UpdatedAt)),
        };
        if (image.LastPulledAt is { } pulled) updates.Add(Update.Max("lastPulledAt", Date(pulled)));
        if (image.LastBasicScanAt is { } basic) updates.Add(Update.Max("lastBasicScanAt", Date(basic)));
        if (image.ScanStatus is { } status)
        {
            updates.Add(Update.Set("scanStatus", status.ToString()));
            updates.Add(Update.Set("scanStatusDescription", Nullable(image.ScanStatusDescription)));
            updates.Add(Update.Set("scanStatusAt", Date(image.ScanStatusAt ?? image.UpdatedAt)));
        }
        if (image.LastScanId is { } scanId) updates.Add(Update.Set("lastScanId", scanId.ToString("D")));
        if (image.CurrentScan is { } dispatch) updates.AddRange(SetDispatch(dispatch));

        var key = Key(image.Registry, image.Repository, image.Digest);
        var options = new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After };
        var images = Images;
        BsonDocument stored;
        try
        {
            stored = await images.FindOneAndUpdateAsync(key, Update.Combine(updates), options, cancellationToken);
        }
        catch (MongoCommandException e) when (e.Code == DuplicateKeyCode && !images.InTransaction)
        {
            // Two first pushes of one digest raced to insert; the loser now finds the winner's document and updates it. (In a
            // transaction the error aborted the work, whose retry updates.)
            stored = await images.FindOneAndUpdateAsync(key, Update.Combine(updates), options, cancellationToken);
        }

        if (tags.Count > 0)
        {
            var others = Filter.And(
                Filter.Eq("registry", image.Registry),
                Filter.Eq("repository", image.Repository),
                Filter.Ne("digest", image.Digest),
                Filter.In("tags", tags));
            await images.UpdateManyAsync(others, Update.PullAll("tags", tags), cancellationToken);
        }
        return ReadImage(stored);
    }

    public async Task<ImageRecord?> GetImageAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var document = await Images.Find(Key(registry, repository, digest)).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : ReadImage(document);
    }

    public Task<ImagePage> ListImagesAsync(string registry, string? repositoryPrefix, ImagePageRequest page, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var filter = Filter.Eq("registry", registry);
        if (!string.IsNullOrEmpty(repositoryPrefix))
            filter &= Filter.Regex("repository", new BsonRegularExpression("^" + EscapeRegex(repositoryPrefix)));
        return ListAsync(filter, page, cancellationToken);
    }

    public Task<ImagePage> ListRepositoryImagesAsync(string registry, string repository, ImagePageRequest page, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        return ListAsync(Filter.Eq("registry", registry) & Filter.Eq("repository", repository), page, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        using var cursor = await Images.DistinctAsync<string>("repository", Filter.Eq("registry", registry), cancellationToken);
        var repositories = await cursor.ToListAsync(cancellationToken);
        repositories.Sort(StringComparer.Ordinal);
        return repositories;
    }

    public async Task<IReadOnlyList<CatalogRepositoryRecord>> ListRepositorySummariesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var groups = await Images.Aggregate()
            .Match(Filter.Eq("registry", registry))
            .Group(new BsonDocument { ["_id"] = "$repository", ["createdAt"] = new BsonDocument("$min", "$pushedAt") })
            .ToListAsync(cancellationToken);
        return groups
            .Select(g => new CatalogRepositoryRecord(g["_id"].AsString,
                g["createdAt"].IsBsonDateTime ? DateTimeOffset.FromUnixTimeMilliseconds(g["createdAt"].AsBsonDateTime.MillisecondsSinceEpoch) : DateTimeOffset.UnixEpoch))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(tag);
        await EnsureIndexesAsync(cancellationToken);
        var document = await Images.Find(Filter.Eq("registry", registry) & Filter.Eq("repository", repository) & Filter.AnyEq("tags", tag))
            .Sort(Builders<BsonDocument>.Sort.Descending("updatedAt")).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : ReadImage(document);
    }

    private async Task<ImagePage> ListAsync(FilterDefinition<BsonDocument> filter, ImagePageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        page.Validate();
        await EnsureIndexesAsync(cancellationToken);
        if (page.NextToken is not null && ImagePageToken.TryDecode(page.NextToken, out var afterRepository, out var afterDigest))
        {
            filter &= Filter.Or(
                Filter.Gt("repository", afterRepository),
                Filter.Eq("repository", afterRepository) & Filter.Gt("digest", afterDigest));
        }
        var documents = await Images.Find(filter)
            .Sort(Builders<BsonDocument>.Sort.Ascending("repository").Ascending("digest"))
            .Limit(page.MaxResults + 1)
            .ToListAsync(cancellationToken);
        var images = documents.Select(ReadImage).ToList();
        if (images.Count <= page.MaxResults) return new ImagePage(images, null);
        images.RemoveAt(images.Count - 1);
        var last = images[^1];
        return new ImagePage(images, ImagePageToken.Encode(last.Repository, last.Digest));
    }

    private static IEnumerable<UpdateDefinition<BsonDocument>> SetDispatch(ScanDispatch dispatch) =>
    [
        Update.Set("currentScanType", dispatch.ScanType.ToString()),
        Update.Set("currentScanTrigger", dispatch.Trigger.ToString()),
        Update.Set("scanDispatches", dispatch.Dispatches),
        Update.Set("scanDispatchedAt", Date(dispatch.DispatchedAt)),
    ];

    private static ImageRecord ReadImage(BsonDocument d) => new(
        Registry: d["registry"].AsString,
        Repository: d["repository"].AsString,
        Digest: d["digest"].AsString,
        Tags: d.TryGetValue("tags", out var tags) && tags.IsBsonArray ? tags.AsBsonArray.Select(t => t.AsString).ToList() : [],
        MediaType: OptionalString(d, "mediaType") ?? "",
        PushedAt: OptionalDate(d, "pushedAt") ?? DateTimeOffset.UnixEpoch,
        LastPulledAt: OptionalDate(d, "lastPulledAt"),
        ScanStatus: OptionalString(d, "scanStatus") is { } status ? Enum.Parse<ScanStatus>(status) : null,
        ScanStatusDescription: OptionalString(d, "scanStatusDescription"),
        LastScanId: OptionalString(d, "lastScanId") is { } id ? Guid.Parse(id) : null,
        LastBasicScanAt: OptionalDate(d, "lastBasicScanAt"),
        UpdatedAt: OptionalDate(d, "updatedAt") ?? DateTimeOffset.UnixEpoch,
        ScanStatusAt: OptionalDate(d, "scanStatusAt"),
        CurrentScan: OptionalString(d, "currentScanType") is { } type && OptionalString(d, "currentScanTrigger") is { } trigger
                     && OptionalDate(d, "scanDispatchedAt") is { } dispatchedAt
            ? new ScanDispatch(Enum.Parse<ScanType>(type), Enum.Parse<ScanTrigger>(trigger), Dispatches(d), dispatchedAt)
            : null);

    private static int Dispatches(BsonDocument d) => d.TryGetValue("scanDispatches", out var value) && value.IsNumeric ? value.ToInt32() : 0;

    /// <summary>Escapes a literal for a MongoDB (PCRE) regular expression.</summary>
    private static string EscapeRegex(string literal)
    {
        var escaped = new System.Text.StringBuilder(literal.Length * 2);
        foreach (var c in literal)
        {
            if (@"\^$.|?*+()[]{}/-".Contains(c)) escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
