using ImageScanning.ScanEngine.Advisories.Osv;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>What an upsert did to a stored advisory.</summary>
public enum AdvisoryChange
{
    /// <summary>The id was not stored before.</summary>
    New,

    /// <summary>The affected data (packages, ranges, versions, or withdrawal) changed: matches may differ.</summary>
    Changed,

    /// <summary>Only other content changed (summary, severity, references, modified...); stored, matches are the same.</summary>
    MetadataChanged,

    /// <summary>The same content (modulo JSON formatting and key order) was already stored.</summary>
    Unchanged,

    /// <summary>
    /// Not stored: the store cannot hold this record (MongoDB: over the 16 MiB document limit); <see cref="AdvisoryUpsertResult.Rejection"/>
    /// says why. The rest of its batch is stored; an import reports it as a failure.
    /// </summary>
    Rejected,
}

/// <summary>The outcome of storing one advisory.</summary>
public sealed record AdvisoryUpsertResult(string Id, AdvisoryChange Change, bool IsWithdrawn, string? Rejection = null)
{
    /// <summary>New or Changed: what a re-scan must look at (a NewCveAdded, unless withdrawn).</summary>
    public bool AffectedDataChanged => Change is AdvisoryChange.New or AdvisoryChange.Changed;
}

/// <summary>An (OSV ecosystem, package name) pair to look advisories up by, e.g. ("Debian:12", "openssl").</summary>
public readonly record struct AdvisoryPackageKey(string Ecosystem, string PackageName)
{
    public override string ToString() => $"{Ecosystem}/{PackageName}";
}

/// <summary>A stored advisory with the raw JSON it was stored as (what an enrichment patches and stores back).</summary>
public sealed record StoredAdvisory(OsvAdvisory Advisory, string RawJson);

/// <summary>One stored advisory's id and raw JSON, unparsed (what an export writes out as it is).</summary>
public sealed record AdvisoryJson(string Id, string RawJson);

/// <summary>
/// The advisory database: OSV records with their raw JSON, indexed by the packages they affect.
/// CveFeed is its one writer; scanners read it. Every implementation passes the same contract tests.
/// </summary>
public interface IAdvisoryStore
{
    /// <summary>
    /// Stores one advisory. <paramref name="rawJson"/> is kept as given and is what reads return (parsed).
    /// The result compares two hashes with what was stored: one of the normalised affected section
    /// (plus the withdrawn flag), one of the whole canonicalised JSON.
    /// </summary>
    Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default);

    /// <summary>Stores many advisories in one transaction (SQLite) or bulk write (MongoDB); results in input order.</summary>
    Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default);

    /// <summary>Advisories with an affected entry for the package (withdrawn ones included), ordered by id.</summary>
    Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default);

    /// <summary>
    /// <see cref="FindByPackageAsync"/> for many packages in one round trip; every requested key is in the
    /// result (with an empty list when nothing affects it).
    /// </summary>
    Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default);

    Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>
    /// Advisories whose id or one of whose aliases is among <paramref name="ids"/> (exact, case-sensitive), each once,
    /// ordered by id: "every record about CVE-2023-48795" (the CVE, its GHSA, GO, DEBIAN-CVE ... records).
    /// </summary>
    Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default);

    Task<long> CountAsync(CancellationToken ct = default);

    /// <summary>When stored data last changed (a New, Changed or MetadataChanged upsert); null when empty.</summary>
    Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default);
}

/// <summary>A store that can hand out every record it holds (CveFeed's export bundle); both stores implement it.</summary>
public interface IAdvisoryExportSource
{
    /// <summary>Every stored advisory (withdrawn ones included) as stored, ordered by id, streamed.</summary>
    IAsyncEnumerable<AdvisoryJson> ReadAllJsonAsync(CancellationToken ct = default);
}
