using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Model;

/// <summary>Where to look a package up in the advisory database: OSV ecosystem and package name.</summary>
public readonly record struct AdvisoryKey(string Ecosystem, string PackageName, string Version);

/// <summary>
/// One folder of the engine: how an ecosystem's packages are found, how its versions compare, how its
/// advisories name its packages and which native feeds carry them. A new ecosystem is a new implementation
/// and one line in <see cref="Ecosystems.EcosystemCatalog"/>, nothing else.
/// </summary>
public interface IEcosystem
{
    string Name { get; }
    IReadOnlyList<IPackageFinder> Finders { get; }
    IVersionComparer VersionComparer { get; }

    /// <summary>Whether this ecosystem's finders run in BASIC scans (OS packages) or only in ENHANCED.</summary>
    bool IsOperatingSystem { get; }

    /// <summary>The type of the packages it keys (its finders', or another ecosystem's finders' for Ubuntu, Wolfi...).</summary>
    PackageType PackageType { get; }

    /// <summary>
    /// The advisory ecosystems it keys packages for, as the part of an OSV ecosystem before any ":" ("Debian" for
    /// "Debian:12", "PyPI"): the names' comparison rule (<see cref="NormalizeName"/>) is looked up by these.
    /// </summary>
    IReadOnlyList<string> AdvisoryEcosystems { get; }

    /// <summary>
    /// The folders of osv.dev's export (osv-vulnerabilities.storage.googleapis.com/FOLDER/all.zip) that carry its advisories:
    /// its advisory ecosystems, unless its vendor publishes only a native feed (Amazon Linux, Oracle Linux).
    /// </summary>
    IReadOnlyList<string> OsvDevExports => AdvisoryEcosystems;

    /// <summary>The advisory key for a package this ecosystem found, or null when it has no advisories.</summary>
    AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution);

    /// <summary>
    /// The canonical form of a package name in its advisory ecosystems, applied to both sides before the exact lookup;
    /// the name as written unless the ecosystem's registry treats names as equal in other ways (PyPI, NuGet, Packagist).
    /// </summary>
    string NormalizeName(string name) => name;

    /// <summary>OS ecosystems: the os-release IDs whose packages it keys (for the "no package database" warning).</summary>
    IReadOnlyList<string> DistributionIds => [];

    /// <summary>
    /// OS ecosystems: the releases of its distributions and the end of their support, from endoflife.date (see docs/eol.md); a feed
    /// of endoflife.date's API files updates it (<see cref="Distributions.DistributionSupport"/>). Empty for rolling distributions.
    /// </summary>
    IReadOnlyList<DistributionRelease> Releases => [];

    /// <summary>The endoflife.date products whose API files update <see cref="Releases"/>.</summary>
    IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => [];

    /// <summary>The native (non-OSV) advisory feeds of this ecosystem's vendor, which CveFeed and the CLI can import.</summary>
    IReadOnlyList<NativeFeedFormat> NativeFeeds => [];
}
