using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Oracle;

/// <summary>
/// Oracle Linux (os-release ID "ol", VERSION_ID "8.9"): rpm packages keyed by binary name and "[epoch:]version-release"
/// under the advisory ecosystem "Oracle Linux:MAJOR". OSV has no Oracle ecosystem, so the name is this engine's own,
/// and the records under it are the ones <see cref="OracleOvalSource"/> converts from Oracle's ELSA OVAL file.
/// No finder of its own: <see cref="RpmFinder"/> (the rpm ecosystem's) reads the database.
/// </summary>
public sealed class OracleLinuxEcosystem : IEcosystem
{
    public const string OsvEcosystemPrefix = "Oracle Linux:";
    public const string DistributionId = "ol";

    public string Name => "oracle-linux";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => RpmVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Rpm;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Oracle Linux"];
    /// <summary>None: osv.dev carries no advisories of this vendor, only its native feed does.</summary>
    public IReadOnlyList<string> OsvDevExports => [];
    public IReadOnlyList<string> DistributionIds => [DistributionId];
    public IReadOnlyList<DistributionRelease> Releases => OracleLinuxReleases.All;
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => OracleLinuxReleases.Products;
    public IReadOnlyList<NativeFeedFormat> NativeFeeds { get; } =
    [
        new NativeFeedFormat(OracleOvalSource.SourceName,
            "Oracle's ELSA OVAL definitions, bzip2 as served (linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2), gzip or plain",
            () => new OracleOvalSource(), OracleOvalSource.LooksLikeElsaOval,
            DefaultUrl: new Uri("https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2")),
    ];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null || distribution.Id != DistributionId) return null;
        return MajorOf(distribution.VersionId) is { } major
            ? new AdvisoryKey(OsvEcosystemPrefix + major, package.Name, package.Version)
            : null;
    }

    /// <summary>"8.9" and "8" give "8"; "", "8.x" and "eight" give null.</summary>
    public static string? MajorOf(string versionId)
    {
        var parts = versionId.Trim().Split('.');
        return parts.All(p => p.Length is > 0 and <= 4 && p.All(char.IsAsciiDigit)) ? int.Parse(parts[0]).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
