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
/// with indexes on <c>packageKeys</c> and <c>aliases</c> (multikey) and one on (<c>updatedAt</c>, <c>_id</c>). Documents written
/// before <c>aliases</c> existed are found by alias once they are next stored. Package names in the keys are
/// normalised by <see cref="AdvisoryPackageNames"/>. Since an ecosystem may itself contain '/'
/// ("Packagist:https://packages.drupal.org/8"), results are re-checked against the parsed record, so a
/// lookup is exact. Every chunk of a batch is one multi-document transaction (a replica set is needed): its classifying read, its
/// unordered bulk write and, with an <see cref="IAdvisoryWriteHook"/>, the hook's writes, so a failure part-way never leaves records
/// stored whose announcement was not. A record whose document would exceed MongoDB's 16 MiB limit is
/// <see cref="AdvisoryChange.Rejected"/> with the reason, and the rest of its chunk is stored. Indexes are made by
/// <see cref="EnsureIndexesAsync"/>, once (a service calls it at start), and awaited by every call.
/// </summary>
public sealed class MongoAdvisoryStore : IAdvisoryStore, IAdvisoryExportSource
{
    public const string CollectionName = "advisories";
    private const int ChunkSize = 1000;

    /// <summary>
    /// Raw JSON shorter than this (in UTF-16 chars: at most 3 MiB of UTF-8) cannot make a document over the limit (the package keys
    /// and aliases come from the JSON): only longer records are measured.
    /// </summary>
    private const int MeasureAboveChars = MongoDocumentLimit.MaxDocumentBytes / 16;

    /// <summary>Snapshot reads, primary, majority and journaled commits: the announcements depend on what a chunk committed.</summary>
    private static readonly TransactionOptions ChunkTransaction =
        new(ReadConcern.Snapshot, ReadPreference.Primary, WriteConcern.WMajority.With(journal: true));

    private readonly IMongoDatabase database;
    private readonly IMongoCollection<BsonDocument> collection;
    private readonly TimeProvider clock;
    private readonly IAdvisoryWriteHook? writeHook;
    private readonly SemaphoreSlim indexGate = new(1, 1);
    private volatile bool indexesReady;

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
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
        var results = new List<AdvisoryUpsertResult>();
        foreach (var chunk in items.Chunk(ChunkSize))
        {
            var writes = await UpsertChunkInTransactionAsync(chunk, writeHook, ct).ConfigureAwait(false);
            results.AddRange(writes.Select(w => w.Result));
        }
        return results;
    }

    /// <summary>
    /// The chunk and the hook's writes (when there is a hook) in one transaction. The driver runs the callback again when the
    /// server aborts it for a transient reason (a write conflict, a primary stepping down) and commits again when the outcome is
    /// unknown. Without a hook the transaction still matters: a classification is only ever stored together with the write it decided.
    /// </summary>
    private async Task<IReadOnlyList<AdvisoryWrite>> UpsertChunkInTransactionAsync(
        (OsvAdvisory Advisory, string RawJson)[] chunk, IAdvisoryWriteHook? hook, CancellationToken ct)
    {
        using var session = await database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        var writes = await session.WithTransactionAsync(
            async (s, token) =>
            {
                var stored = await UpsertChunkAsync(chunk, s, token).ConfigureAwait(false);
                if (hook is not null) await hook.StoringAsync(stored, new MongoAdvisoryWriteTransaction(database, s), token).ConfigureAwait(false);
                return stored;
            },
            ChunkTransaction,
            ct).ConfigureAwait(false);
        hook?.Committed(writes);
        return writes;
    }

    /// <summary>Reads the chunk's stored hashes and writes what changed, in <paramref name="session"/>'s transaction.</summary>
    private async Task<IReadOnlyList<AdvisoryWrite>> UpsertChunkAsync(
        (OsvAdvisory Advisory, string RawJson)[] chunk, IClientSessionHandle session, CancellationToken ct)
    {
        var ids = chunk.Select(i => i.Advisory.Id).Distinct(StringComparer.Ordinal).ToList();
        var stored = new Dictionary<string, (string Content, string Affected)>(StringComparer.Ordinal);
        var projection = Builders<BsonDocument>.Projection.Include("contentHash").Include("affectedHash");
        var filter = Builders<BsonDocument>.Filter.In("_id", ids);
        using (var cursor = await collection.Find(session, filter).Project(projection).ToCursorAsync(ct).ConfigureAwait(false))
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
            if (change == AdvisoryChange.Unchanged)
            {
                results.Add(new AdvisoryWrite(advisory, new AdvisoryUpsertResult(advisory.Id, change, advisory.IsWithdrawn), fingerprint.AffectedHash));
                continue;
            }

            var document = ToDocument(advisory, rawJson, fingerprint, now);
            if (rawJson.Length > MeasureAboveChars
                && MongoDocumentLimit.Problem(document, CollectionName, $"the advisory {advisory.Id}") is { } tooLarge)
            {
                // Only this record: the rest of the chunk is stored, and the import reports this one as a failure.
                results.Add(new AdvisoryWrite(advisory,
                    new AdvisoryUpsertResult(advisory.Id, AdvisoryChange.Rejected, advisory.IsWithdrawn, tooLarge), fingerprint.AffectedHash));
                continue;
            }
            results.Add(new AdvisoryWrite(advisory, new AdvisoryUpsertResult(advisory.Id, change, advisory.IsWithdrawn), fingerprint.AffectedHash));
            stored[advisory.Id] = (fingerprint.ContentHash, fingerprint.AffectedHash);
            // The last version of an id in the chunk wins, so the unordered bulk write has one write per id.
            writes[advisory.Id] = new ReplaceOneModel<BsonDocument>(Builders<BsonDocument>.Filter.Eq("_id", advisory.Id), document)
            {
                IsUpsert = true,
            };
        }

        if (writes.Count > 0)
            await collection.BulkWriteAsync(session, writes.Values, new BulkWriteOptions { IsOrdered = false }, ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>The stored document of an advisory (public for the offline document tests).</summary>
    public static BsonDocument ToDocument(OsvAdvisory advisory, string rawJson, AdvisoryFingerprint fingerprint, DateTime updatedAt) =>
        new()
            {
                ["_id"] = advisory.Id,
                ["modified"] = advisory.Modified is { } m ? new BsonDateTime(m.UtcDateTime) : BsonNull.Value,
                ["withdrawn"] = advisory.IsWithdrawn,
                ["contentHash"] = fingerprint.ContentHash,
                ["affectedHash"] = fingerprint.AffectedHash,
                ["json"] = rawJson,
                ["updatedAt"] = new BsonDateTime(updatedAt),
                ["packageKeys"] = new BsonArray(fingerprint.PackageKeys.Select(KeyOf).Distinct(StringComparer.Ordinal)),
                ["aliases"] = new BsonArray(advisory.Aliases.Distinct(StringComparer.Ordinal)),
            };

    public async Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default)
    {
        var key = new AdvisoryPackageKey(ecosystem, packageName);
        return (await FindByPackagesAsync([key], ct).ConfigureAwait(false))[key];
    }

    public async Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(
        IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
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
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
        var doc = await collection.Find(Builders<BsonDocument>.Filter.Eq("_id", id))
            .Project(Builders<BsonDocument>.Projection.Include("json"))
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return doc is null ? null : OsvParser.Parse(doc["json"].AsString);
    }

    public async Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
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

    /// <summary>
    /// The collection's count from its metadata (no scan of a few hundred thousand documents for a status page): exact after clean
    /// writes, possibly off after an unclean shutdown until the server revalidates it.
    /// </summary>
    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
        return await collection.EstimatedDocumentCountAsync(cancellationToken: ct).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<AdvisoryJson> ReadAllJsonAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
        using var cursor = await collection.Find(FilterDefinition<BsonDocument>.Empty)
            .Sort(Builders<BsonDocument>.Sort.Ascending("_id"))
            .Project(Builders<BsonDocument>.Projection.Include("json"))
            .ToCursorAsync(ct).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(ct).ConfigureAwait(false))
            foreach (var doc in cursor.Current) yield return new AdvisoryJson(doc["_id"].AsString, doc["json"].AsString);
    }

    public async Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default)
    {
        await EnsureIndexesAsync(ct).ConfigureAwait(false);
        var doc = await collection.Find(FilterDefinition<BsonDocument>.Empty)
            .Sort(Builders<BsonDocument>.Sort.Descending("updatedAt").Descending("_id"))
            .Project(Builders<BsonDocument>.Projection.Include("updatedAt"))
            .Limit(1)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return doc is null ? null : new DateTimeOffset(doc["updatedAt"].ToUniversalTime(), TimeSpan.Zero);
    }

    /// <summary>
    /// Creates the indexes (and so the collection, which a transaction then never creates), once per store: the first call waits,
    /// later ones return at once; a failed attempt is retried by the next call. The services call it at start (ScanEngine does not
    /// know their start-up; they adapt it with a small index owner).
    /// </summary>
    public async Task EnsureIndexesAsync(CancellationToken ct = default)
    {
        if (indexesReady) return;
        await indexGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (indexesReady) return;
            await collection.Indexes.CreateManyAsync(Indexes, ct).ConfigureAwait(false);
            indexesReady = true;
        }
        finally
        {
            indexGate.Release();
        }
    }

    /// <summary>
    /// Lookups by package and by alias (multikey), and the newest change (updatedAt, then _id: a total order). "updatedAt" is the
    /// earlier index on updatedAt alone; the new one has its own name, since a name reused with other keys fails.
    /// </summary>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> Indexes { get; } =
    [
        new(Builders<BsonDocument>.IndexKeys.Ascending("packageKeys"), new CreateIndexOptions { Name = "packageKeys" }),
        new(Builders<BsonDocument>.IndexKeys.Ascending("aliases"), new CreateIndexOptions { Name = "aliases" }),
        new(Builders<BsonDocument>.IndexKeys.Descending("updatedAt").Descending("_id"), new CreateIndexOptions { Name = "ix_updated_newest" }),
    ];
}
