using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IImageCatalogStore"/> in the ScanRouter's MongoDB database: one document per image, one per tag (image_tags,
/// MongoImageCatalogStore.Tags.cs), one per recorded delivery id. Atomicity: unique indexes (deliveries, image key, tag key),
/// single-document update operators and conditional filters (quota reservation, scan status ordering, dispatch counts); an upsert,
/// which writes the image and its tags, is one transaction (its own, or the unit of work's). Scan status and dispatch writes:
/// MongoImageCatalogStore.Scans.cs; created repositories and deletion: MongoImageCatalogStore.Repositories.cs.
/// </summary>
public sealed partial class MongoImageCatalogStore : IImageCatalogStore, IMongoIndexOwner
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

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; MongoIndexStartup calls it at start-up.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private async Task CreateIndexesAsync(CancellationToken cancellationToken)
    {
        // Every query of this store filters on a prefix of one of these and sorts by the rest (the image key is unique).
        await _database.Database.GetCollection<BsonDocument>(ImagesCollection).Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(
                IndexKeys.Ascending("registry").Ascending("repository").Ascending("digest"),
                new CreateIndexOptions { Unique = true, Name = "ux_image_key" }),
            // The stuck-scan sweeper reads only IN_PROGRESS images, in key order.
            new CreateIndexModel<BsonDocument>(
                IndexKeys.Ascending("scanStatus").Ascending("registry").Ascending("repository").Ascending("digest"),
                new CreateIndexOptions { Name = "ix_scan_status_key" }),
        ], cancellationToken);
        await _database.Database.GetCollection<BsonDocument>(TagsCollection).Indexes.CreateManyAsync(TagIndexes, cancellationToken);
        await _database.Database.GetCollection<BsonDocument>(RepositoriesCollection).Indexes.CreateOneAsync(RepositoryIndex, cancellationToken: cancellationToken);
        await _database.Database.GetCollection<BsonDocument>(DeliveriesCollection).Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(IndexKeys.Ascending("receivedAt"), new CreateIndexOptions { Name = "ix_received_at" }),
            cancellationToken: cancellationToken);
    }

    public async Task<bool> TryRecordDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        await EnsureIndexesAsync(cancellationToken);
        // Outside a transaction the record alone guards against a second scan: majority and journaled, so a failover keeps it.
        var deliveries = Deliveries.Durable();
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
        // Not atomic across documents, and need not be: each deletion stands alone, and a purge cut short leaves the rest for the next.
        var result = await Deliveries.DeleteManyAsync(Filter.Lt("receivedAt", Date(cutoff)), cancellationToken);
        return result.DeletedCount;
    }

    public async Task<ImageRecord> UpsertImageAsync(ImageRecord image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(image.Tags);
        var key = Key(image.Registry, image.Repository, image.Digest);
        // The image and its tags in one transaction, as SQLite writes them: never an image whose tags were half moved.
        await EnsureIndexesAsync(cancellationToken); // before any transaction: index builds cannot join one
        if (_session is null)
            return await MongoStoreTransaction.RunAsync(_database, work => In(work).UpsertImageAsync(image, cancellationToken), cancellationToken);

        // The same merge as ImageMerge.Merge, as single-document update operators; the key fields come from the equality filter on
        // insert. Tags live in their own collection.
        var updates = new List<UpdateDefinition<BsonDocument>>
        {
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

        // The image document first, then its tags in ordinal order: every upsert takes its documents in one order.
        var options = new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After };
        var stored = await Images.FindOneAndUpdateAsync(key, Update.Combine(updates), options, cancellationToken);
        var tags = image.Tags.Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count > 0) await PointTagsAsync(image.Registry, image.Repository, image.Digest, tags, image.UpdatedAt, cancellationToken);
        return (await ReadImagesAsync([stored], cancellationToken))[0];
    }

    public async Task<ImageRecord?> GetImageAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var document = await Images.Find(Key(registry, repository, digest)).FirstOrDefaultAsync(cancellationToken);
        return document is null ? null : (await ReadImagesAsync([document], cancellationToken))[0];
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

    public async Task<ImageRecord?> FindImageByTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(tag);
        await EnsureIndexesAsync(cancellationToken);
        // The tag's unique document names one digest (SQLite picks the latest image carrying it; here only one can).
        return await FindTaggedDigestAsync(registry, repository, tag, cancellationToken) is { } digest
            ? await GetImageAsync(registry, repository, digest, cancellationToken)
            : null;
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
        // The whole unique key (the registry is fixed by the filter): ux_image_key walks in this order, and pages are stable.
        var documents = await Images.Find(filter)
            .Sort(ImageKeyOrderSort)
            .Limit(page.MaxResults + 1)
            .ToListAsync(cancellationToken);
        var images = await ReadImagesAsync(documents, cancellationToken);
        if (images.Count <= page.MaxResults) return new ImagePage(images, null);
        images.RemoveAt(images.Count - 1);
        var last = images[^1];
        return new ImagePage(images, ImagePageToken.Encode(last.Repository, last.Digest));
    }

    /// <summary>(registry, repository, digest): the unique image key, so a sort by it has no ties.</summary>
    private static readonly SortDefinition<BsonDocument> ImageKeyOrderSort =
        Builders<BsonDocument>.Sort.Ascending("registry").Ascending("repository").Ascending("digest");

    /// <summary>Image documents with their tags: one more query, however many documents.</summary>
    private async Task<List<ImageRecord>> ReadImagesAsync(IReadOnlyList<BsonDocument> documents, CancellationToken cancellationToken)
    {
        var keys = documents.Select(d => new ImageKey(d["registry"].AsString, d["repository"].AsString, d["digest"].AsString)).ToList();
        var tags = await ReadTagsAsync(keys, cancellationToken);
        return documents.Select((d, i) => ReadImage(d, tags[keys[i]])).ToList();
    }

    private static IEnumerable<UpdateDefinition<BsonDocument>> SetDispatch(ScanDispatch dispatch) =>
    [
        Update.Set("currentScanType", dispatch.ScanType.ToString()),
        Update.Set("currentScanTrigger", dispatch.Trigger.ToString()),
        Update.Set("scanDispatches", dispatch.Dispatches),
        Update.Set("scanDispatchedAt", Date(dispatch.DispatchedAt)),
    ];

    private static ImageRecord ReadImage(BsonDocument d, IReadOnlyList<string> tags) => new(
        Registry: d["registry"].AsString,
        Repository: d["repository"].AsString,
        Digest: d["digest"].AsString,
        Tags: tags,
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
            : null,
        OsEndOfLife: OptionalString(d, "osEndOfLife") is { } endOfLife
            ? DateOnly.ParseExact(endOfLife, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
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
