using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Matching;

/// <summary>A test-only ecosystem: packages of one type, looked up under one OSV ecosystem.</summary>
public sealed class TestEcosystem(
    string name,
    string packageType,
    string osvEcosystem,
    IVersionComparer comparer,
    Func<Package, string>? advisoryName = null,
    Func<Package, string>? advisoryVersion = null) : IEcosystem
{
    public string Name => name;
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => comparer;
    public bool IsOperatingSystem => false;
    public PackageType PackageType => PackageType.Of(packageType) ?? new PackageType(packageType, false, PurlNaming.Plain, packageType.ToUpperInvariant());
    public IReadOnlyList<string> AdvisoryEcosystems => [osvEcosystem.Split(':')[0]];
    public int KeyRequests { get; private set; }

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        KeyRequests++;
        if (package.Type != packageType) return null;
        return new AdvisoryKey(osvEcosystem, advisoryName?.Invoke(package) ?? package.Name, advisoryVersion?.Invoke(package) ?? package.Version);
    }
}

/// <summary>A test-only OS ecosystem: source package and version, ecosystem from the distribution ("Debian:12").</summary>
public sealed class TestDistroEcosystem(IVersionComparer comparer) : IEcosystem
{
    public string Name => "test-deb";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => comparer;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Deb;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Debian"];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == "deb" && distribution is { Id: "debian" }
            ? new AdvisoryKey($"Debian:{distribution.VersionId}", package.SourceName ?? package.Name, package.SourceVersion ?? package.Version)
            : null;
}

/// <summary>Wraps a store and counts its lookups.</summary>
public sealed class CountingStore(IAdvisoryStore inner) : IAdvisoryStore
{
    public int BatchLookups { get; private set; }
    public int KeysLookedUp { get; private set; }
    public int SingleLookups { get; private set; }

    public Task<AdvisoryUpsertResult> UpsertAsync(OsvAdvisory advisory, string rawJson, CancellationToken ct = default) =>
        inner.UpsertAsync(advisory, rawJson, ct);

    public Task<IReadOnlyList<AdvisoryUpsertResult>> UpsertManyAsync(IEnumerable<(OsvAdvisory Advisory, string RawJson)> items, CancellationToken ct = default) =>
        inner.UpsertManyAsync(items, ct);

    public Task<IReadOnlyList<OsvAdvisory>> FindByPackageAsync(string ecosystem, string packageName, CancellationToken ct = default)
    {
        SingleLookups++;
        return inner.FindByPackageAsync(ecosystem, packageName, ct);
    }

    public Task<IReadOnlyDictionary<AdvisoryPackageKey, IReadOnlyList<OsvAdvisory>>> FindByPackagesAsync(IEnumerable<AdvisoryPackageKey> keys, CancellationToken ct = default)
    {
        var list = keys.ToList();
        BatchLookups++;
        KeysLookedUp += list.Count;
        return inner.FindByPackagesAsync(list, ct);
    }

    public Task<OsvAdvisory?> GetAsync(string id, CancellationToken ct = default) => inner.GetAsync(id, ct);
    public Task<IReadOnlyList<StoredAdvisory>> FindByIdsOrAliasesAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default) =>
        inner.FindByIdsOrAliasesAsync(ids, ct);
    public Task<long> CountAsync(CancellationToken ct = default) => inner.CountAsync(ct);
    public Task<DateTimeOffset?> LastChangedAsync(CancellationToken ct = default) => inner.LastChangedAsync(ct);
}
