using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IScanRouterStore"/> on MongoDB (the ScanRouter's own database). Documents are plain BSON, with no
/// class maps or global serializer settings. Enums are stored as strings, scan ids as "D"-format strings, times as BSON dates
/// (milliseconds, UTC). Atomicity: unique indexes (deliveries, image key), single-document update operators and
/// conditional filters (quota reservation, scan status ordering).
/// </summary>
public sealed partial class MongoScanRouterStore : IScanRouterStore
{
    public const string ConfigurationsCollection = "scanning_configurations";
    public const string DeliveriesCollection = "deliveries";
    public const string ImagesCollection = "images";
    public const string ImagePackagesCollection = "image_packages";

    private const int DuplicateKeyCode = 11000;

    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BsonDocument> Update = Builders<BsonDocument>.Update;

    private readonly IMongoCollection<BsonDocument> _configurations;
    private readonly IMongoCollection<BsonDocument> _deliveries;
    private readonly IMongoCollection<BsonDocument> _images;
    private readonly IMongoCollection<BsonDocument> _imagePackages;
    private readonly SemaphoreSlim _indexLock = new(1, 1);
    private volatile bool _indexesReady;

    public MongoScanRouterStore(IMongoDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _configurations = database.GetCollection<BsonDocument>(ConfigurationsCollection);
        _deliveries = database.GetCollection<BsonDocument>(DeliveriesCollection);
        _images = database.GetCollection<BsonDocument>(ImagesCollection);
        _imagePackages = database.GetCollection<BsonDocument>(ImagePackagesCollection);
        _rescanConfigurations = database.GetCollection<BsonDocument>(RescanConfigurationsCollection);
        _scanUsage = database.GetCollection<BsonDocument>(ScanUsageCollection);
    }

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; call it at start-up to fail fast.</summary>
    public async Task EnsureIndexesAsync(CancellationToken cancellationToken = default)
    {
        if (_indexesReady) return;
        await _indexLock.WaitAsync(cancellationToken);
        try
        {
            if (_indexesReady) return;
            var keys = Builders<BsonDocument>.IndexKeys;
            await _images.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<BsonDocument>(
                    keys.Ascending("registry").Ascending("repository").Ascending("digest"),
                    new CreateIndexOptions { Unique = true, Name = "ux_image_key" }),
                new CreateIndexModel<BsonDocument>(
                    keys.Ascending("registry").Ascending("repository").Ascending("tags"),
                    new CreateIndexOptions { Name = "ix_repository_tags" }),
            ], cancellationToken);
            await _deliveries.Indexes.CreateOneAsync(
                new CreateIndexModel<BsonDocument>(keys.Ascending("receivedAt"), new CreateIndexOptions { Name = "ix_received_at" }),
                cancellationToken: cancellationToken);
            await CreatePackageIndexesAsync(cancellationToken);
            await CreateUsageIndexesAsync(cancellationToken);
            _indexesReady = true;
        }
        finally
        {
            _indexLock.Release();
        }
    }

    public async Task<RegistryScanningConfiguration> GetConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var document = await _configurations.Find(Filter.Eq("_id", registry)).FirstOrDefaultAsync(cancellationToken);
        return document is null ? ScanningRules.DefaultConfiguration : ReadConfiguration(document);
    }

    public async Task PutConfigurationAsync(string registry, RegistryScanningConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        await EnsureIndexesAsync(cancellationToken);
        var document = new BsonDocument
        {
            { "_id", registry },
            { "scanType", configuration.ScanType.ToString() },
            { "rules", new BsonArray((configuration.Rules ?? []).Select(rule => new BsonDocument
                {
                    { "scanFrequency", rule.ScanFrequency.ToString() },
                    { "repositoryFilters", new BsonArray((rule.RepositoryFilters ?? []).Select(f => new BsonDocument
                        {
                            { "filter", f.Filter },
                            { "filterType", f.FilterType.ToString() },
                        })) },
                })) },
            { "updatedAt", new BsonDateTime(DateTime.UtcNow) },
        };
        await _configurations.ReplaceOneAsync(Filter.Eq("_id", registry), document, new ReplaceOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<bool> TryRecordDeliveryAsync(string deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        await EnsureIndexesAsync(cancellationToken);
        try
        {
            await _deliveries.InsertOneAsync(new BsonDocument { { "_id", deliveryId }, { "receivedAt", Date(at) } }, cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<long> PurgeDeliveriesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var result = await _deliveries.DeleteManyAsync(Filter.Lt("receivedAt", Date(cutoff)), cancellationToken);
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

        var key = Key(image.Registry, image.Repository, image.Digest);
        var options = new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After };
        BsonDocument stored;
        try
        {
            stored = await _images.FindOneAndUpdateAsync(key, Update.Combine(updates), options, cancellationToken);
        }
        catch (MongoCommandException e) when (e.Code == DuplicateKeyCode)
        {
            // Two first pushes of one digest raced to insert; the loser now finds the winner's document and updates it.
            stored = await _images.FindOneAndUpdateAsync(key, Update.Combine(updates), options, cancellationToken);
        }

        if (tags.Count > 0)
        {
            var others = Filter.And(
                Filter.Eq("registry", image.Registry),
                Filter.Eq("repository", image.Repository),
                Filter.Ne("digest", image.Digest),
                Filter.In("tags", tags));
            await _images.UpdateManyAsync(others, Update.PullAll("tags", tags), cancellationToken: cancellationToken);
        }
        return ReadImage(stored);
    }

    public async Task<ImageRecord?> GetImageAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var document = await _images.Find(Key(registry, repository, digest)).FirstOrDefaultAsync(cancellationToken);
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
        using var cursor = await _images.DistinctAsync<string>("repository", Filter.Eq("registry", registry), cancellationToken: cancellationToken);
        var repositories = await cursor.ToListAsync(cancellationToken);
        repositories.Sort(StringComparer.Ordinal);
        return repositories;
    }

    public async Task<bool> SetScanStatusAsync(
        string registry, string repository, string digest, ScanStatus status, string? description, Guid? scanId, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var filter = Key(registry, repository, digest)
            & Filter.Or(Filter.Eq("scanStatusAt", BsonNull.Value), Filter.Lte("scanStatusAt", Date(at)));
        var updates = new List<UpdateDefinition<BsonDocument>>
        {
            Update.Set("scanStatus", status.ToString()),
            Update.Set("scanStatusDescription", Nullable(description)),
            Update.Set("scanStatusAt", Date(at)),
            Update.Set("updatedAt", Date(at)),
        };
        if (scanId is { } id) updates.Add(Update.Set("lastScanId", id.ToString("D")));
        var result = await _images.UpdateOneAsync(filter, Update.Combine(updates), cancellationToken: cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> TryReserveBasicScanAsync(string registry, string repository, string digest, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var cutoff = Date(now - BasicScanQuota.Window);
        var filter = Key(registry, repository, digest)
            & Filter.Or(Filter.Eq("lastBasicScanAt", BsonNull.Value), Filter.Lte("lastBasicScanAt", cutoff));
        var update = Update.Set("lastBasicScanAt", Date(now)).Set("updatedAt", Date(now));
        var result = await _images.UpdateOneAsync(filter, update, cancellationToken: cancellationToken);
        return result.MatchedCount == 1;
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
        var documents = await _images.Find(filter)
            .Sort(Builders<BsonDocument>.Sort.Ascending("repository").Ascending("digest"))
            .Limit(page.MaxResults + 1)
            .ToListAsync(cancellationToken);
        var images = documents.Select(ReadImage).ToList();
        if (images.Count <= page.MaxResults) return new ImagePage(images, null);
        images.RemoveAt(images.Count - 1);
        var last = images[^1];
        return new ImagePage(images, ImagePageToken.Encode(last.Repository, last.Digest));
    }

    private static FilterDefinition<BsonDocument> Key(string registry, string repository, string digest)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(digest);
        return Filter.Eq("registry", registry) & Filter.Eq("repository", repository) & Filter.Eq("digest", digest);
    }

    private static RegistryScanningConfiguration ReadConfiguration(BsonDocument document)
    {
        var scanType = Enum.Parse<ScanType>(document["scanType"].AsString);
        var rules = document.GetValue("rules", new BsonArray()).AsBsonArray
            .Select(r => r.AsBsonDocument)
            .Select(r => new RegistryScanningRule(
                Enum.Parse<ScanFrequency>(r["scanFrequency"].AsString),
                r.GetValue("repositoryFilters", new BsonArray()).AsBsonArray
                    .Select(f => f.AsBsonDocument)
                    .Select(f => new ScanningRepositoryFilter(f["filter"].AsString, Enum.Parse<RepositoryFilterType>(f["filterType"].AsString)))
                    .ToList()))
            .ToList();
        return new RegistryScanningConfiguration(scanType, rules);
    }

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
        ScanStatusAt: OptionalDate(d, "scanStatusAt"));

    private static string? OptionalString(BsonDocument d, string name) =>
        d.TryGetValue(name, out var value) && value.IsString ? value.AsString : null;

    private static DateTimeOffset? OptionalDate(BsonDocument d, string name) =>
        d.TryGetValue(name, out var value) && value.IsValidDateTime
            ? new DateTimeOffset(DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc))
            : null;

    private static BsonValue Nullable(string? value) => value is null ? BsonNull.Value : new BsonString(value);

    private static BsonDateTime Date(DateTimeOffset value) => new(value.ToUnixTimeMilliseconds());

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
