using System.Globalization;
using ImageScanning.ScanEngine.Advisories.Osv;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>
/// The advisory database in one SQLite file (the embedded, standalone store). WAL journal, so readers
/// (scanners) never wait for the writer (CveFeed); writes from this instance are serialised and each
/// batch is one transaction. The schema is created on first use.
/// <code>
/// advisories(id PK, modified, withdrawn, content_hash, affected_hash, json, updated_at)
/// advisory_packages(ecosystem, package_name, advisory_id) PK (ecosystem, package_name, advisory_id)
/// advisory_aliases(alias, advisory_id) PK (alias, advisory_id)   -- schema 2; filled from stored rows on upgrade
/// </code>
/// Package names in advisory_packages are normalised by <see cref="AdvisoryPackageNames"/>; lookups are
/// exact matches on the primary key. An optional <see cref="IAdvisoryWriteHook"/> writes in each batch's transaction.
/// </summary>
public sealed class SqliteAdvisoryStore : IAdvisoryStore, IAdvisoryExportSource, IDisposable
{
    private const int SchemaVersion = 2;

    private readonly string connectionString;
    private readonly TimeProvider clock;
    private readonly IAdvisoryWriteHook? writeHook;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly SemaphoreSlim schemaLock = new(1, 1);
    private volatile bool schemaReady;

    /// <param name="writeHook">Called inside every batch's transaction (see <see cref="IAdvisoryWriteHook"/>); null for none.</param>
    public SqliteAdvisoryStore(string path, TimeProvider? clock = null, IAdvisoryWriteHook? writeHook = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        this.clock = clock ?? TimeProvider.System;
        this.writeHook = writeHook;
        DatabasePath = path;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    public async Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default) =>
        (await UpsertManyAsync([(advisory, rawJson)], ct).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(
        IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

            await using var select = Command(connection, transaction,
                "SELECT content_hash, affected_hash FROM advisories WHERE id = $id");
            var selectId = select.Parameters.Add("$id", SqliteType.Text);

            await using var upsert = Command(connection, transaction, """
                INSERT INTO advisories (id, modified, withdrawn, content_hash, affected_hash, json, updated_at)
                VALUES ($id, $modified, $withdrawn, $content, $affected, $json, $updated)
                ON CONFLICT (id) DO UPDATE SET
                    modified = excluded.modified, withdrawn = excluded.withdrawn,
                    content_hash = excluded.content_hash, affected_hash = excluded.affected_hash,
                    json = excluded.json, updated_at = excluded.updated_at
                """);
            var upsertId = upsert.Parameters.Add("$id", SqliteType.Text);
            var upsertModified = upsert.Parameters.Add("$modified", SqliteType.Text);
            var upsertWithdrawn = upsert.Parameters.Add("$withdrawn", SqliteType.Integer);
            var upsertContent = upsert.Parameters.Add("$content", SqliteType.Text);
            var upsertAffected = upsert.Parameters.Add("$affected", SqliteType.Text);
            var upsertJson = upsert.Parameters.Add("$json", SqliteType.Text);
            var upsertUpdated = upsert.Parameters.Add("$updated", SqliteType.Integer);

            await using var deleteKeys = Command(connection, transaction, "DELETE FROM advisory_packages WHERE advisory_id = $id");
            var deleteId = deleteKeys.Parameters.Add("$id", SqliteType.Text);

            await using var deleteAliases = Command(connection, transaction, "DELETE FROM advisory_aliases WHERE advisory_id = $id");
            var deleteAliasesId = deleteAliases.Parameters.Add("$id", SqliteType.Text);
            await using var insertAlias = Command(connection, transaction,
                "INSERT OR IGNORE INTO advisory_aliases (alias, advisory_id) VALUES ($alias, $id)");
            var aliasValue = insertAlias.Parameters.Add("$alias", SqliteType.Text);
            var aliasId = insertAlias.Parameters.Add("$id", SqliteType.Text);

            await using var insertKey = Command(connection, transaction,
                "INSERT OR IGNORE INTO advisory_packages (ecosystem, package_name, advisory_id) VALUES ($ecosystem, $name, $id)");
            var keyEcosystem = insertKey.Parameters.Add("$ecosystem", SqliteType.Text);
            var keyName = insertKey.Parameters.Add("$name", SqliteType.Text);
            var keyId = insertKey.Parameters.Add("$id", SqliteType.Text);

            var results = new List<AdvisoryUpsertResult>();
            var writes = writeHook is null ? null : new List<AdvisoryWrite>();
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (advisory, rawJson) in items)
            {
                ct.ThrowIfCancellationRequested();
                ArgumentNullException.ThrowIfNull(advisory);
                var fingerprint = AdvisoryFingerprint.Of(advisory, rawJson);

                selectId.Value = advisory.Id;
                string? storedContent = null, storedAffected = null;
                await using (var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false))
                {
                    if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        storedContent = reader.GetString(0);
                        storedAffected = reader.GetString(1);
                    }
                }

                var change = Classify(storedContent, storedAffected, fingerprint);
                var result = new AdvisoryUpsertResult(advisory.Id, change, advisory.IsWithdrawn);
                results.Add(result);
                writes?.Add(new AdvisoryWrite(advisory, result, fingerprint.AffectedHash));
                if (change == AdvisoryChange.Unchanged) continue;

                upsertId.Value = advisory.Id;
                upsertModified.Value = (object?)advisory.Modified?.ToString("O", CultureInfo.InvariantCulture) ?? DBNull.Value;
                upsertWithdrawn.Value = advisory.IsWithdrawn ? 1 : 0;
                upsertContent.Value = fingerprint.ContentHash;
                upsertAffected.Value = fingerprint.AffectedHash;
                upsertJson.Value = rawJson;
                upsertUpdated.Value = now;
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

                // Aliases are metadata: rewritten on every stored change.
                deleteAliasesId.Value = advisory.Id;
                await deleteAliases.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                foreach (var alias in advisory.Aliases.Distinct(StringComparer.Ordinal))
                {
                    aliasValue.Value = alias;
                    aliasId.Value = advisory.Id;
                    await insertAlias.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                if (change == AdvisoryChange.MetadataChanged) continue;
                deleteId.Value = advisory.Id;
                await deleteKeys.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                foreach (var key in fingerprint.PackageKeys)
                {
                    keyEcosystem.Value = key.Ecosystem;
                    keyName.Value = key.PackageName;
                    keyId.Value = advisory.Id;
                    await insertKey.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            if (writes is not null)
                await writeHook!.StoringAsync(writes, new SqliteAdvisoryWriteTransaction(connection, transaction), ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            if (writes is not null) writeHook!.Committed(writes);
            return results;
        }
        finally
        {
            writeLock.Release();
        }
    }

    internal static AdvisoryChange Classify(string? storedContent, string? storedAffected, AdvisoryFingerprint fingerprint)
    {
        if (storedContent is null) return AdvisoryChange.New;
        if (!string.Equals(storedAffected, fingerprint.AffectedHash, StringComparison.Ordinal)) return AdvisoryChange.Changed;
        if (!string.Equals(storedContent, fingerprint.ContentHash, StringComparison.Ordinal)) return AdvisoryChange.MetadataChanged;
        return AdvisoryChange.Unchanged;
    }

    public async Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default)
    {
        var key = new AdvisoryPackageKey(ecosystem, packageName);
        return (await FindByPackagesAsync([key], ct).ConfigureAwait(false))[key];
    }

    /// <summary>
    /// One query per 500 keys (the keys as a JSON array, joined to the package index in array order), and each advisory's JSON
    /// parsed once per call however many of the keys it names: an OS advisory names dozens of an image's packages.
    /// </summary>
    public async Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(
        IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        var result = new Dictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>();
        var pending = new List<AdvisoryPackageKey>();
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key.Ecosystem);
            ArgumentNullException.ThrowIfNull(key.PackageName);
            if (result.TryAdd(key, new List<OsvAdvisory>())) pending.Add(key);
        }
        if (pending.Count == 0) return result;

        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        // CROSS JOIN keeps the key list as the outer loop, so each key is one primary-key range of advisory_packages.
        await using var command = Command(connection, null, """
            SELECT k.key, a.id, a.json FROM json_each($keys) AS k
            CROSS JOIN advisory_packages AS p ON p.ecosystem = json_extract(k.value, '$[0]') AND p.package_name = json_extract(k.value, '$[1]')
            JOIN advisories AS a ON a.id = p.advisory_id
            ORDER BY k.key, a.id
            """);
        var keysParameter = command.Parameters.Add("$keys", SqliteType.Text);
        var parsed = new Dictionary<string, OsvAdvisory>(StringComparer.Ordinal);
        foreach (var chunk in pending.Chunk(500))
        {
            keysParameter.Value = System.Text.Json.JsonSerializer.Serialize(
                chunk.Select(k => new[] { k.Ecosystem, AdvisoryPackageNames.Normalize(k.Ecosystem, k.PackageName) }));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = reader.GetString(1);
                // The stored UTF-8 as it is: no UTF-16 string of the JSON to transcode back.
                if (!parsed.TryGetValue(id, out var advisory)) parsed[id] = advisory = OsvParser.Parse(reader.GetFieldValue<byte[]>(2));
                ((List<OsvAdvisory>)result[chunk[reader.GetInt32(0)]]).Add(advisory);
            }
        }
        return result;
    }

    public async Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT json FROM advisories WHERE id = $id");
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string json ? OsvParser.Parse(json) : null;
    }

    public async Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        var found = new SortedDictionary<string, StoredAdvisory>(StringComparer.Ordinal);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null, """
            SELECT a.id, a.json FROM advisories a WHERE a.id IN (SELECT value FROM json_each($ids))
            UNION
            SELECT a.id, a.json FROM advisory_aliases x JOIN advisories a ON a.id = x.advisory_id
            WHERE x.alias IN (SELECT value FROM json_each($ids))
            """);
        var idsParameter = command.Parameters.Add("$ids", SqliteType.Text);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            idsParameter.Value = System.Text.Json.JsonSerializer.Serialize(chunk);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var json = reader.GetString(1);
                found.TryAdd(reader.GetString(0), new StoredAdvisory(OsvParser.Parse(json), json));
            }
        }
        return found.Values.ToList();
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM advisories");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async IAsyncEnumerable<AdvisoryJson> ReadAllJsonAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT id, json FROM advisories ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return new AdvisoryJson(reader.GetString(0), reader.GetString(1));
    }

    /// <summary>How many advisories affect each ecosystem (an advisory with entries in two counts in both), by ecosystem name.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByEcosystemAsync(CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "SELECT ecosystem, COUNT(DISTINCT advisory_id) FROM advisory_packages GROUP BY ecosystem ORDER BY ecosystem");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public async Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct).ConfigureAwait(false);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT MAX(updated_at) FROM advisories");
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long ms
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
    }

    /// <summary>Closes this file's pooled connections (so the file can be moved or deleted).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (schemaReady) return;
        await schemaLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (schemaReady) return;
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            await using (var wal = Command(connection, null, "PRAGMA journal_mode = WAL"))
                await wal.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            long storedVersion;
            await using (var version = Command(connection, null, "PRAGMA user_version"))
                storedVersion = Convert.ToInt64(await version.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var create = Command(connection, transaction, $"""
                CREATE TABLE IF NOT EXISTS advisories (
                    id            TEXT    NOT NULL PRIMARY KEY,
                    modified      TEXT,
                    withdrawn     INTEGER NOT NULL DEFAULT 0,
                    content_hash  TEXT    NOT NULL,
                    affected_hash TEXT    NOT NULL,
                    json          TEXT    NOT NULL,
                    updated_at    INTEGER NOT NULL
                );
                CREATE TABLE IF NOT EXISTS advisory_packages (
                    ecosystem    TEXT NOT NULL,
                    package_name TEXT NOT NULL,
                    advisory_id  TEXT NOT NULL,
                    PRIMARY KEY (ecosystem, package_name, advisory_id)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS ix_advisory_packages_advisory ON advisory_packages (advisory_id);
                CREATE TABLE IF NOT EXISTS advisory_aliases (
                    alias       TEXT NOT NULL,
                    advisory_id TEXT NOT NULL,
                    PRIMARY KEY (alias, advisory_id)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS ix_advisory_aliases_advisory ON advisory_aliases (advisory_id);
                CREATE INDEX IF NOT EXISTS ix_advisories_updated_at ON advisories (updated_at);
                PRAGMA user_version = {SchemaVersion};
                """))
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (storedVersion is > 0 and < 2) await BackfillAliasesAsync(connection, transaction, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            schemaReady = true;
        }
        finally
        {
            schemaLock.Release();
        }
    }

    /// <summary>Schema 1 files had no alias table: index the aliases of the rows already stored.</summary>
    private static async Task BackfillAliasesAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken ct)
    {
        var rows = new List<(string Id, string Json)>();
        await using (var select = Command(connection, transaction, "SELECT id, json FROM advisories"))
        await using (var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) rows.Add((reader.GetString(0), reader.GetString(1)));
        await using var insert = Command(connection, transaction, "INSERT OR IGNORE INTO advisory_aliases (alias, advisory_id) VALUES ($alias, $id)");
        var alias = insert.Parameters.Add("$alias", SqliteType.Text);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        foreach (var row in rows)
        {
            foreach (var value in OsvParser.Parse(row.Json).Aliases)
            {
                (alias.Value, id.Value) = (value, row.Id);
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken ct) => AdvisorySqlite.OpenAsync(connectionString, ct);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql) =>
        AdvisorySqlite.Command(connection, transaction, sql);
}
