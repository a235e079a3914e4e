using System.Globalization;
using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// Production store: a document per finding (the finding as JSON plus the queried fields), one per image (revision,
/// applied point, inventory) and one per suppression rule. A commit advances the image's revision with a conditional update
/// and writes its rows in one transaction (the unit of work's, or one of its own), so of two concurrent commits only one
/// writes, and a failure between the two writes leaves neither.
/// </summary>
public sealed class MongoFindingLifecycleStore : IFindingLifecycleStore, IMongoIndexOwner
{
    public const string FindingsCollection = "findings";
    public const string ImagesCollection = "finding_images";
    public const string RulesCollection = "suppression_rules";

    private const string InventoryFieldName = "inventory";

    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;
    private static readonly string[] OpenStatuses = Enum.GetNames<FindingStatus>().Where(s => s != nameof(FindingStatus.CLOSED)).ToArray();

    private readonly MongoServiceDatabase _database;
    private readonly SessionCollection<BsonDocument> _findings;
    private readonly SessionCollection<BsonDocument> _images;
    private readonly SessionCollection<BsonDocument> _rules;
    private readonly MongoIndexes _indexes;

    public MongoFindingLifecycleStore(MongoServiceDatabase database) : this(database, null, null) { }

    private MongoFindingLifecycleStore(MongoServiceDatabase database, IClientSessionHandle? session, MongoIndexes? indexes)
    {
        _database = database;
        _findings = new SessionCollection<BsonDocument>(database.Database.GetCollection<BsonDocument>(FindingsCollection), session);
        _images = new SessionCollection<BsonDocument>(database.Database.GetCollection<BsonDocument>(ImagesCollection), session);
        _rules = new SessionCollection<BsonDocument>(database.Database.GetCollection<BsonDocument>(RulesCollection), session);
        _indexes = indexes ?? new MongoIndexes(ct => MongoFindingLifecycleIndexes.CreateAsync(database.Database, ct));
    }

    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    public IFindingLifecycleStore In(UnitOfWork work) => new MongoFindingLifecycleStore(_database, _database.Join(work).Session, _indexes);

    public async Task<ImageFindingsState> GetImageAsync(string imageKey, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var image = await _images.Find(F.Eq("_id", imageKey)).FirstOrDefaultAsync(cancellationToken);
        var findings = await ReadAsync(_findings.Find(F.Eq("imageKey", imageKey)), cancellationToken);
        return image is null
            ? new ImageFindingsState(imageKey, 0, null, null, findings)
            : new ImageFindingsState(imageKey, image["revision"].AsInt64,
                image["appliedAt"].IsBsonNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(image["appliedAt"].AsInt64),
                image["appliedScanId"].IsBsonNull ? null : Guid.Parse(image["appliedScanId"].AsString), findings);
    }

    public async Task<bool> TryCommitAsync(ImageFindingsCommit commit, CancellationToken cancellationToken = default)
    {
        // Before any transaction: index builds (and the collections they create) cannot run in one.
        await EnsureIndexesAsync(cancellationToken);
        if (!_images.InTransaction)
        {
            // The revision and the rows in one transaction of its own: two writes without one lose rows when the second fails.
            try
            {
                await using var work = await _database.BeginAsync(cancellationToken);
                if (!await In(work).TryCommitAsync(commit, cancellationToken)) return false;
                await work.CommitAsync(cancellationToken);
                return true;
            }
            catch (MongoException e) when (e.HasErrorLabel("TransientTransactionError"))
            {
                // A concurrent commit for the image wrote first (a write conflict): refused like a stale revision, and the
                // caller reads the image again. (Joined with a unit of work the error goes to the caller: the work is aborted.)
                return false;
            }
        }

        var update = Builders<BsonDocument>.Update
            .Set("revision", commit.ExpectedRevision + 1)
            .Set("appliedAt", commit.AppliedAt.ToUnixTimeMilliseconds())
            .Set("appliedScanId", commit.AppliedScanId is { } id ? (BsonValue)id.ToString() : BsonNull.Value);
        if (commit.Inventory is not null)
        {
            var inventory = InventoryField(commit.ImageKey, commit.Inventory);
            update = update.Set(InventoryFieldName, inventory[InventoryFieldName]).Set(MongoCompressedJson.EncodingField(InventoryFieldName), inventory[MongoCompressedJson.EncodingField(InventoryFieldName)]);
        }
        try
        {
            var claimed = await _images.UpdateOneAsync(
                F.Eq("_id", commit.ImageKey) & F.Eq("revision", commit.ExpectedRevision), update,
                new UpdateOptions { IsUpsert = commit.ExpectedRevision == 0 }, cancellationToken);
            if (claimed.MatchedCount == 0 && claimed.UpsertedId is null) return false;
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // Another commit created the image first. The server aborted this transaction; the caller starts again.
            return false;
        }
        await UpdateFindingsAsync(commit.Writes, cancellationToken);
        return true;
    }

    public async Task UpdateFindingsAsync(IReadOnlyList<FindingRecord> findings, CancellationToken cancellationToken = default)
    {
        if (findings.Count == 0) return;
        await EnsureIndexesAsync(cancellationToken);
        var writes = findings.Select(f => new ReplaceOneModel<BsonDocument>(F.Eq("_id", f.Id), ToDocument(f)) { IsUpsert = true });
        await _findings.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
    }

    public async Task<IReadOnlyList<FindingRecord>> ListOpenFindingsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        // $in over the open statuses, not $ne CLOSED: an index range per status instead of a scan around CLOSED.
        return await ReadAsync(_findings.Find(F.In("status", OpenStatuses)), cancellationToken);
    }

    public async Task<IReadOnlyList<FindingRecord>> GetFindingsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        await EnsureIndexesAsync(cancellationToken);
        return await ReadAsync(_findings.Find(F.In("_id", ids)), cancellationToken);
    }

    public async Task<FindingsPage> QueryAsync(ListFindings query, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var filter = Filter(query.Filter);
        var field = SortField(query.SortBy);
        var ascending = query.SortOrder == SortOrder.ASC;
        if (query.NextToken is not null)
        {
            var (value, id) = FindingPageToken.Decode(query.NextToken, query.SortBy, query.SortOrder);
            BsonValue after = FindingPageToken.IsNumeric(query.SortBy) ? long.Parse(value, CultureInfo.InvariantCulture) : value;
            filter &= ascending
                ? F.Gt(field, after) | (F.Eq(field, after) & F.Gt("_id", id))
                : F.Lt(field, after) | (F.Eq(field, after) & F.Lt("_id", id));
        }
        var sort = field == "_id"
            ? (ascending ? Builders<BsonDocument>.Sort.Ascending("_id") : Builders<BsonDocument>.Sort.Descending("_id"))
            : ascending
                ? Builders<BsonDocument>.Sort.Ascending(field).Ascending("_id")
                : Builders<BsonDocument>.Sort.Descending(field).Descending("_id");
        var rows = await ReadAsync(_findings.Find(filter).Sort(sort).Limit(query.MaxResults + 1), cancellationToken);
        var page = rows.Take(query.MaxResults).ToList();
        var next = rows.Count > query.MaxResults
            ? FindingPageToken.Encode(query.SortBy, query.SortOrder, FindingPageToken.SortValue(page[^1], query.SortBy), page[^1].Id)
            : null;
        return new FindingsPage(page.Select(f => f.ToDetail()).ToList(), next);
    }

    public async Task<IReadOnlyList<FindingCountRow>> CountAsync(FindingFilter filter, FindingCountKey key, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        BsonValue keyField = key switch
        {
            FindingCountKey.LayerHash => "$layerHash",
            FindingCountKey.PackageName => "$packageName",
            FindingCountKey.VulnerabilityId => "$vulnerabilityId",
            _ => BsonNull.Value,
        };
        var group = new BsonDocument
        {
            ["_id"] = new BsonDocument
            {
                ["registry"] = "$registry", ["repository"] = "$repository", ["digest"] = "$digest", ["key"] = keyField,
                ["severity"] = "$severity", ["fix"] = "$fixAvailable",
            },
            ["count"] = new BsonDocument("$sum", 1L),
        };
        var groups = await _findings.Aggregate().Match(Filter(filter)).Group(group).ToListAsync(cancellationToken);
        return groups.Select(g =>
        {
            var id = g["_id"].AsBsonDocument;
            return new FindingCountRow(id["registry"].AsString, id["repository"].AsString, id["digest"].AsString,
                id.GetValue("key", BsonNull.Value).IsBsonNull ? null : id["key"].AsString,
                Enum.Parse<FindingSeverity>(id["severity"].AsString), Enum.Parse<FixAvailable>(id["fix"].AsString), g["count"].ToInt64());
        }).ToList();
    }

    public async Task<ImageInventory?> GetInventoryAsync(string imageKey, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var image = await _images.Find(F.Eq("_id", imageKey)).FirstOrDefaultAsync(cancellationToken);
        return image is not null && image.GetValue(InventoryFieldName, BsonNull.Value) is { IsBsonNull: false }
            ? JsonSerializer.Deserialize<ImageInventory>(MongoCompressedJson.Read(image, InventoryFieldName), FindingsJson.Options)
            : null;
    }

    public async Task SaveRuleAsync(SuppressionRule rule, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        await _rules.ReplaceOneAsync(F.Eq("_id", rule.Id),
            new BsonDocument { ["_id"] = rule.Id, ["createdAt"] = rule.CreatedAt.ToUnixTimeMilliseconds(), ["record"] = JsonSerializer.Serialize(rule, FindingsJson.Options) },
            new ReplaceOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<bool> DeleteRuleAsync(string id, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        return (await _rules.DeleteOneAsync(F.Eq("_id", id), cancellationToken)).DeletedCount > 0;
    }

    public async Task<IReadOnlyList<SuppressionRule>> ListRulesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var documents = await _rules.Find(F.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("createdAt").Ascending("_id")).ToListAsync(cancellationToken);
        return documents.Select(d => JsonSerializer.Deserialize<SuppressionRule>(d["record"].AsString, FindingsJson.Options)!).ToList();
    }

    /// <summary>
    /// The image document's inventory fields (compressed), checked with the rest of the image document against the document limit
    /// before the commit writes anything.
    /// </summary>
    public static BsonDocument InventoryField(string imageKey, ImageInventory inventory)
    {
        var image = new BsonDocument { ["_id"] = imageKey, ["revision"] = long.MaxValue, ["appliedAt"] = long.MaxValue, ["appliedScanId"] = Guid.Empty.ToString() };
        MongoCompressedJson.Set(image, InventoryFieldName, JsonSerializer.Serialize(inventory, FindingsJson.Options));
        MongoDocumentLimit.EnsureFits(image, ImagesCollection, $"the inventory of {imageKey} ({inventory.Packages.Count} packages)");
        return image;
    }

    /// <summary>The stored document of a finding (the offline tests round-trip it).</summary>
    public static BsonDocument ToDocument(FindingRecord f) => new()
    {
        ["_id"] = f.Id, ["imageKey"] = f.ImageKey, ["registry"] = f.Image.Registry, ["repository"] = f.Image.Repository, ["digest"] = f.Image.Digest,
        ["vulnerabilityId"] = f.Finding.VulnerabilityId, ["packageName"] = f.Finding.Package.Name, ["layerHash"] = f.Finding.Package.LayerDigest,
        ["severity"] = f.Finding.Severity.ToString(), ["severityRank"] = FindingRecord.SeverityRank(f.Finding.Severity),
        ["status"] = f.Status.ToString(), ["fixAvailable"] = f.FixAvailable.ToString(),
        ["firstObservedAt"] = f.FirstObservedAt.ToUnixTimeMilliseconds(), ["lastObservedAt"] = f.LastObservedAt.ToUnixTimeMilliseconds(),
        ["updatedAt"] = f.UpdatedAt.ToUnixTimeMilliseconds(), ["record"] = JsonSerializer.Serialize(f, FindingsJson.Options),
    };

    private static FilterDefinition<BsonDocument> Filter(FindingFilter filter)
    {
        var result = F.Empty;
        if (filter.Severities is { Count: > 0 } s) result &= F.In("severity", s.Select(v => v.ToString()));
        if (filter.Statuses is { Count: > 0 } st) result &= F.In("status", st.Select(v => v.ToString()));
        if (filter.VulnerabilityId is { } vuln) result &= F.Eq("vulnerabilityId", vuln);
        if (filter.PackageName is { } package) result &= F.Eq("packageName", package);
        if (filter.Registry is { } registry) result &= F.Eq("registry", registry);
        if (filter.ImageDigest is { } digest) result &= F.Eq("digest", digest);
        if (filter.FixAvailable is { } fix) result &= F.Eq("fixAvailable", fix.ToString());
        if (filter.LayerHash is { } layer) result &= F.Eq("layerHash", layer);
        if (filter.Repositories is { Count: > 0 } repositories) result &= F.In("repository", repositories);
        if (filter.ImageDigests is { Count: > 0 } digests) result &= F.In("digest", digests);
        if (filter.Repository is { } repository)
            result &= repository.EndsWith('*')
                ? F.Regex("repository", new BsonRegularExpression("^" + System.Text.RegularExpressions.Regex.Escape(repository[..^1])))
                : F.Eq("repository", repository);
        return result;
    }

    private static string SortField(FindingSortField field) => field switch
    {
        FindingSortField.SEVERITY => "severityRank",
        FindingSortField.LAST_OBSERVED_AT => "lastObservedAt",
        FindingSortField.FIRST_OBSERVED_AT => "firstObservedAt",
        FindingSortField.UPDATED_AT => "updatedAt",
        FindingSortField.VULNERABILITY_ID => "vulnerabilityId",
        FindingSortField.ECR_IMAGE_REPOSITORY_NAME => "repository",
        FindingSortField.FINDING_STATUS => "status",
        FindingSortField.ECR_IMAGE_REGISTRY => "registry",
        FindingSortField.FINDING_ARN => "_id",
        _ => "packageName",
    };

    public static FindingRecord FromDocument(BsonDocument d) => JsonSerializer.Deserialize<FindingRecord>(d["record"].AsString, FindingsJson.Options)!;

    private static async Task<IReadOnlyList<FindingRecord>> ReadAsync(IFindFluent<BsonDocument, BsonDocument> find, CancellationToken cancellationToken) =>
        (await find.ToListAsync(cancellationToken))
        .Select(FromDocument).ToList();
}
