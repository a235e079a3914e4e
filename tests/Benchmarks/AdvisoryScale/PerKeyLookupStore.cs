using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Benchmarks.AdvisoryScale;

/// <summary>
/// BASELINE, not used by the engine: SqliteAdvisoryStore.FindByPackagesAsync as of commit aa62677 (one prepared query per key,
/// every row's JSON read as a string and parsed, again for every key that names it), over the same file, so the benchmark
/// measures the batched lookup against it in the same run. Every other call goes to the engine's store.
/// </summary>
public sealed class PerKeyLookupStore(SqliteAdvisoryStore inner) : IAdvisoryStore
{
    private readonly string connectionString = new SqliteConnectionStringBuilder { DataSource = inner.DatabasePath, Pooling = true }.ToString();

    public async Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(
        IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default)
    {
        var result = new Dictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.json FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id
            WHERE p.ecosystem = $ecosystem AND p.package_name = $name
            ORDER BY a.id
            """;
        var ecosystemParameter = command.Parameters.Add("$ecosystem", SqliteType.Text);
        var nameParameter = command.Parameters.Add("$name", SqliteType.Text);
        foreach (var key in keys)
        {
            if (result.ContainsKey(key)) continue;
            ecosystemParameter.Value = key.Ecosystem;
            nameParameter.Value = AdvisoryPackageNames.Normalize(key.Ecosystem, key.PackageName);
            var list = new List<OsvAdvisory>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) list.Add(OsvParser.Parse(reader.GetString(0)));
            result[key] = list;
        }
        return result;
    }

    public Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default) => inner.UpsertAsync(advisory, rawJson, ct);
    public Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default) => inner.UpsertManyAsync(items, ct);
    public Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default) => inner.FindByPackageAsync(ecosystem, packageName, ct);
    public Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default) => inner.GetAsync(id, ct);
    public Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default) => inner.FindByIdsOrAliasesAsync(ids, ct);
    public Task<long> CountAsync(CancellationToken ct = default) => inner.CountAsync(ct);
    public Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default) => inner.LastChangedAsync(ct);
}
