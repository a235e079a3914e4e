using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Suse;

/// <summary>The SUSE Linux Enterprise product or module a <see cref="SuseEnterpriseEcosystem"/> keys packages under.</summary>
public enum SleStream
{
    /// <summary>"SUSE:Linux Enterprise Server 15 SP5" (SLED: "…Desktop 15 SP5"): the product itself, where SLE 12 files everything.</summary>
    Product,
    /// <summary>"SUSE:Linux Enterprise Module for Basesystem 15 SP5": the SLE 15 module of the base OS (glibc, openssl, zlib…).</summary>
    Basesystem,
    /// <summary>"SUSE:Linux Enterprise Module for Server Applications 15 SP5" (SLED: "…for Desktop Applications").</summary>
    Applications,
    /// <summary>"SUSE:Linux Enterprise Server 15 SP3 LTSS": the same code stream's fixes after general support ends.</summary>
    Ltss,
}

/// <summary>
/// SUSE Linux Enterprise Server and Desktop (os-release ID "sles", "sled"; SUSE BCI images are "sles"), keyed for
/// SUSE's OSV records, which file a package under each product and module that ships it
/// ("SUSE:Linux Enterprise Module for Basesystem 15 SP5", "SUSE:Linux Enterprise Server 15 SP5", …) by binary rpm name
/// and "version-release". The rpm database and os-release do not say which module a package came from, so one
/// instance per <see cref="SleStream"/> keys every package under that stream of the image's service pack: a record for
/// any of them is about the same build of the same code stream. The first match per package and advisory is kept, so
/// a record listing the package under several of them gives one finding.
/// <para>
/// No finder of its own: <see cref="RpmFinder"/> (the rpm ecosystem's) reads the database.
/// </para>
/// </summary>
public sealed class SuseEnterpriseEcosystem(SleStream stream) : IEcosystem
{
    public const string OsvEcosystemPrefix = "SUSE:";

    public SleStream Stream { get; } = stream;
    public string Name => "suse-" + Stream.ToString().ToLowerInvariant();
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => RpmVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Rpm;
    public IReadOnlyList<string> AdvisoryEcosystems => ["SUSE"];
    public IReadOnlyList<string> DistributionIds => Stream == SleStream.Product ? ["sles", "sled"] : [];
    public IReadOnlyList<DistributionRelease> Releases => Stream == SleStream.Product ? SuseReleases.Of("sles") : [];
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => Stream == SleStream.Product ? SuseReleases.ProductsOf("sles") : [];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null) return null;
        return OsvEcosystemOf(Stream, distribution.Id, distribution.VersionId) is { } ecosystem
            ? new AdvisoryKey(ecosystem, package.Name, package.Version)
            : null;
    }

    /// <summary>
    /// The OSV ecosystem of a stream on a SLE release: ("sles", "15.5") → "SUSE:Linux Enterprise Server 15 SP5",
    /// "15" → "…Server 15". Modules exist from SLE 15 on (null on 12); LTSS only for the Server. Null for other ids or an
    /// unreadable VERSION_ID.
    /// </summary>
    public static string? OsvEcosystemOf(SleStream stream, string distributionId, string versionId)
    {
        if (ReleaseOf(versionId) is not { } release) return null;
        var server = distributionId switch { "sles" => true, "sled" => false, _ => (bool?)null };
        if (server is null) return null;
        var name = stream switch
        {
            SleStream.Product => server.Value ? "Linux Enterprise Server" : "Linux Enterprise Desktop",
            SleStream.Basesystem when release.Major >= 15 => "Linux Enterprise Module for Basesystem",
            SleStream.Applications when release.Major >= 15 => server.Value ? "Linux Enterprise Module for Server Applications" : "Linux Enterprise Module for Desktop Applications",
            SleStream.Ltss when server.Value => "Linux Enterprise Server",
            _ => null,
        };
        if (name is null) return null;
        return $"{OsvEcosystemPrefix}{name} {release.Major}{(release.ServicePack > 0 ? " SP" + release.ServicePack : "")}{(stream == SleStream.Ltss ? " LTSS" : "")}";
    }

    /// <summary>"15.5" → (15, 5); "15" → (15, 0); "12.5" → (12, 5). Null for anything else ("15.5.1", "", "tumbleweed").</summary>
    public static (int Major, int ServicePack)? ReleaseOf(string versionId)
    {
        var parts = versionId.Trim().Split('.');
        if (parts.Length > 2 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit))) return null;
        var major = int.Parse(parts[0]);
        return major < 10 ? null : (major, parts.Length == 2 ? int.Parse(parts[1]) : 0);
    }
}
