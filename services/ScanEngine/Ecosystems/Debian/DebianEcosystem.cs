using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Debian;

/// <summary>
/// Debian: dpkg packages, dpkg version ordering, and OSV's Debian advisories, which name the source
/// package and use the ecosystem "Debian:MAJOR" (e.g. "Debian:12").
/// </summary>
public sealed class DebianEcosystem : IEcosystem
{
    public const string OsvEcosystemPrefix = "Debian:";

    public string Name => "debian";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new DpkgFinder()];
    public IVersionComparer VersionComparer => DpkgVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Deb;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Debian"];
    public IReadOnlyList<string> DistributionIds => ["debian"];
    public IReadOnlyList<DistributionRelease> Releases => DebianReleases.All;
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => DebianReleases.Products;
    public IReadOnlyList<NativeFeedFormat> NativeFeeds { get; } =
    [
        new(DebianSecurityTrackerSource.SourceName, "the Debian Security Tracker's JSON (security-tracker.debian.org/tracker/data/json)",
            () => new DebianSecurityTrackerSource(), DebianSecurityTrackerSource.LooksLikeTracker),
    ];

    /// <summary>
    /// The OSV key of a dpkg package on Debian: ecosystem "Debian:" + the major version, the source package
    /// and its version. Null for other package types, other distributions (Ubuntu has its own ecosystem)
    /// and Debian without a version number (testing/sid, which OSV does not cover).
    /// </summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null || distribution.Id != "debian") return null;
        var major = distribution.VersionId.Split('.', 2)[0].Trim();
        if (major.Length == 0) return null;
        return new AdvisoryKey(OsvEcosystemPrefix + major, package.SourceName ?? package.Name,
            package.SourceVersion ?? package.Version);
    }
}
