using ImageScanning.ScanEngine.Advisories.Osv;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>
/// The advisory database in MongoDB (the distributed store). One document per advisory:
/// <code>
/// { _id: id, modified: date|null, withdrawn: bool, contentHash, affectedHash, json: "&lt;raw OSV&gt;",
///   updatedAt: date, packageKeys: ["Debian:12/openssl", "PyPI/pyyaml", ...], aliases: ["CVE-...", ...] }
/// </code>
/// with indexes on <c>packageKeys</c> and <c>aliases</c> (multikey) and one on <c>updatedAt</c>. Documents written
/// before <c>aliases</c> existed are found by alias once they are next stored. Package names in the keys are
/// normalised by <see cref="AdvisoryPackageNames"/>. Since an ecosystem may itself contain '/'
/// ("Packagist:https://packages.drupal.org/8"), results are re-checked against the parsed record, so a
/// lookup is exact. Batches are written with one unordered bulk write per chunk; with an <see cref="IAdvisoryWriteHook"/>, each
/// chunk is one multi-document transaction (a replica set is needed) holding its bulk write and the hook's writes.
/// </summary>
public sealed class MongoAdvisoryStore : IAdvisoryStore
{
    public const string CollectionName = "advisories";
    private const int ChunkSize = 1000;

    private readonly IMongoDatabase database;
    private readonly IMongoCollection<BsonDocument> collection;
    private readonly TimeProvider clock;
    private readonly IAdvisoryWriteHook? writeHook;
    private readonly Lock indexGate = new();
    private Task? indexTask;

    /// <param name="writeHook">Called inside every chunk's transaction (see <see cref="IAdvisoryWriteHook"/>); null for none.</param>
    public MongoAdvisoryStore(IMongoDatabase database, TimeProvider? clock = null, IAdvisoryWriteHook? writeHook = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        this.database = database;
        collection = database.GetCollection<BsonDocument>(CollectionName);
        this.clock = clock ?? TimeProvider.System;
        this.writeHook = writeHook;
    }

    public static string KeyOf(AdvisoryPackageKey key) =>
        $"{key.Ecosystem}/{AdvisoryPackageNames.Normalize(key.Ecosystem, key.PackageName)}";

    public async Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default) =>
        (await UpsertManyAsync([(advisory, rawJson)], ct).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(
        IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        await EnsureIndexesAsync().ConfigureAwait(false);
        var results = new List<AdvisoryUpsertResult>();
        foreach (var chunk in items.Chunk(ChunkSize))
        {
            var writes = writeHook is null
                ? await UpsertChunkAsync(chunk, null, ct).ConfigureAwait(false)
                : await UpsertChunkInTransactionAsync(chunk, writeHook, ct).ConfigureAwait(false);
            results.AddRange(writes.Select(w => w.Result));
        }
        return results;
    }

    /// <summary>
    /// The chunk and the hook's writes in one transaction. The driver runs the callback again when the server aborts it for a
    /// transient reason (a write conflict, a primary stepping down) and commits again when the outcome is unknown.
    /// </summary>
    private async Task<IReadOnlyList<AdvisoryWrite>> UpsertChunkInTransactionAsync(
        (OsvAdvisory Advisory, string RawJson)[] chunk, IAdvisoryWriteHook hook, CancellationToken ct)
    {
        using var session = await database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        var writes = await session.WithTransactionAsync(
            async (s, token) =>
            {
                var stored = await UpsertChunkAsync(chunk, s, token).ConfigureAwait(false);
                await hook.StoringAsync(stored, new MongoAdvisoryWriteTransaction(database, s), token).ConfigureAwait(false);
                return stored;
            },
            new TransactionOptions(ReadConcern.Snapshot, ReadPreference.Primary, WriteConcern.WMajority),
            ct).ConfigureAwait(false);
        hook.Committed(writes);
        return writes;
    }

    /// <summary>Reads the chunk's stored hashes and writes what changed, in <paramref name="session"/> when there is one.</summary>
    private async Task<IReadOnlyList<AdvisoryWrite>> UpsertChunkAsync(
        (OsvAdvisory Advisory, string RawJson)[] chunk, IClientSessionHandle? session, CancellationToken ct)
    {
        var ids = chunk.Select(i => i.Advisory.Id).Distinct(StringComparer.Ordinal).ToList();
        var stored = new Dictionary<string, (string Content, string Affected)>(StringComparer.Ordinal);
        var projection = Builders<BsonDocument>.Projection.Include("contentHash").Include("affectedHash");
        var filter = Builders<BsonDocument>.Filter.In("_id", ids);
        var find = session is null ? collection.Find(filter) : collection.Find(session, filter);
        using (var cursor = await find.Project(projection).ToCursorAsync(ct).ConfigureAwait(false))
        {
            while (await cursor.MoveNextAsync(ct).ConfigureAwait(false))
                foreach (var doc in cursor.Current)
                    stored[doc["_id"].AsString] = (doc["contentHash"].AsString, doc["affectedHash"].AsString);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var writes = new Dictionary<string, WriteModel<BsonDocument>>(StringComparer.Ordinal);
        var results = new List<AdvisoryWrite>(chunk.Length);
        foreach (var (advisory, rawJson) in chunk)
        {
            ct.ThrowIfCancellationRequested();
            var fingerprint = AdvisoryFingerprint.Of(advisory, rawJson);
            var known = stored.TryGetValue(advisory.Id, out var previous);
            var change = SqliteAdvisoryStore.Classify(known ? previous.Content : null, known ? previous.Affected : null, fingerprint);
            results.Add(new AdvisoryWrite(advisory, new AdvisoryUpsertResult(advisory.Id, change, advisory.IsWithdrawn), fingerprint.AffectedHash));
            if (change == AdvisoryChange.Unchanged) continue;

            stored[advisory.Id] = (fingerprint.ContentHash, fingerprint.AffectedHash);
            var document = new BsonDocument
            {
                ["_id"] = advisory.Id,
                ["modified"] = advisory.Modified is { } m ? new BsonDateTime(m.UtcDateTime) : BsonNull.Value,
                ["withdrawn"] = advisory.IsWithdrawn,
                ["contentHash"] = fingerprint.ContentHash,
                ["affectedHash"] = fingerprint.AffectedHash,
                ["json"] = rawJson,
                ["updatedAt"] = new BsonDateTime(now),
                ["packageKeys"] = new BsonArray(fingerprint.PackageKeys.Select(KeyOf).Distinct(StringComparer.Ordinal)),
                ["aliases"] = new BsonArray(advisory.Aliases.Distinct(StringComparer.Ordinal)),
            };
            // The last version of an id in the chunk wins, so the unordered bulk write has one write per id.
            writes[advisory.Id] = new ReplaceOneModel<BsonDocument>(Builders<BsonDocument>.Filter.Eq("_id", advisory.Id), document)
            {
                IsUpsert = true,
            };
        }

        var options = new BulkWriteOptions { IsOrdered = false };
        if (writes.Count > 0)
            await (session is null
                ? collection.BulkWriteAsync(writes.Values, options, ct)
                : collection.BulkWriteAsync(session, writes.Values, options, ct)).ConfigureAwait(false);
        return results;
    }

    public async Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default)
    {
        var key = new AdvisoryPackageKey(ecosystem, packageName);
        return (await FindByPackagesAsync([key], ct).ConfigureAwait(false))[key];
    }

    public async Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(
        IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await EnsureIndexesAsync().ConfigureAwait(false);
        var requested = keys.Distinct().ToList();
        var byStoredKey = requested.GroupBy(KeyOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var found = requested.ToDictionary(k => k, _ => new List<OsvAdvisory>());

        foreach (var chunk in byStoredKey.Keys.Chunk(ChunkSize))
        {
            var filter = Builders<BsonDocument>.Filter.In("packageKeys", chunk);
            var projection = Builders<BsonDocument>.Projection.Include("json").Include("packageKeys");
            using var cursor = await collection.Find(filter).Project(projection).ToCursorAsync(ct).ConfigureAwait(false);
            while (await cursor.MoveNextAsync(ct).ConfigureAwait(false))
            {
                foreach (var doc in cursor.Current)
                {
                    OsvAdvisory? advisory = null;
                    foreach (var storedKey in doc["packageKeys"].AsBsonArray.Select(k => k.AsString))
                    {
                        if (!byStoredKey.TryGetValue(storedKey, out var wanted)) continue;
                        advisory ??= OsvParser.Parse(doc["json"].AsString);
                        foreach (var key in wanted)
                            if (Affects(advisory, key)) found[key].Add(advisory);
                    }
                }
            }
        }

        return found.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyList<OsvAdvisory>)kv.Value.DistinctBy(a => a.Id).OrderBy(a => a.Id, StringComparer.Ordinal).ToList());
    }

    private static bool Affects(OsvAdvisory advisory, AdvisoryPackageKey key) =>
        advisory.Affected.Any(a => a.Package is not null
            && AdvisoryPackageNames.SamePackage(a.Package.Ecosystem, a.Package.Name, key.Ecosystem, key.PackageName));

    public async Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var doc = await collection.Find(Builders<BsonDocument>.Filter.Eq("_id", id))
            .Project(Builders<BsonDocument>.Projection.Include("json"))
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return doc is null ? null : OsvParser.Parse(doc["json"].AsString);
    }

    public async Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await EnsureIndexesAsync().ConfigureAwait(false);
        var found = new SortedDictionary<string, StoredAdvisory>(StringComparer.Ordinal);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
        {
            var filter = Builders<BsonDocument>.Filter.Or(
                Builders<BsonDocument>.Filter.In("_id", chunk), Builders<BsonDocument>.Filter.In("aliases", chunk));
            using var cursor = await collection.Find(filter).Project(Builders<BsonDocument>.Projection.Include("json"))
                .ToCursorAsync(ct).ConfigureAwait(false);
            while (await cursor.MoveNextAsync(ct).ConfigureAwait(false))
                foreach (var doc in cursor.Current)
                {
                    var json = doc["json"].AsString;
                    found.TryAdd(doc["_id"].AsString, new StoredAdvisory(OsvParser.Parse(json), json));
                }
        }
        return found.Values.ToList();
    }

    public Task<long> CountAsync(CancellationToken ct = default) =>
        collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: ct);

    public async Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default)
    {
        await EnsureIndexesAsync().ConfigureAwait(false);
        var doc = await collection.Find(FilterDefinition<BsonDocument>.Empty)
            .Sort(Builders<BsonDocument>.Sort.Descending("updatedAt"))
            .Project(Builders<BsonDocument>.Projection.Include("updatedAt"))
            .Limit(1)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return doc is null ? null : new DateTimeOffset(doc["updatedAt"].ToUniversalTime(), TimeSpan.Zero);
    }

    /// <summary>Creates the indexes once; a failed attempt is retried by the next call.</summary>
    private Task EnsureIndexesAsync()
    {
        lock (indexGate)
        {
            if (indexTask is null || indexTask.IsFaulted || indexTask.IsCanceled) indexTask = CreateIndexesAsync();
            return indexTask;
        }
    }

    private Task CreateIndexesAsync() =>
        collection.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("packageKeys"),
                new CreateIndexOptions { Name = "packageKeys" }),
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("aliases"),
                new CreateIndexOptions { Name = "aliases" }),
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Descending("updatedAt"),
                new CreateIndexOptions { Name = "updatedAt" }),
        ]);
}
