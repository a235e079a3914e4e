using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Suse;

/// <summary>
/// openSUSE Leap and Tumbleweed (os-release ID "opensuse-leap", "opensuse-tumbleweed"): SUSE's OSV records for them use
/// the ecosystems "openSUSE:Leap X.Y" (VERSION_ID as written, "15.5") and "openSUSE:Tumbleweed" and name binary rpms,
/// keyed with their "[epoch:]version-release". No finder of its own: <see cref="RpmFinder"/> reads the database.
/// </summary>
public sealed class OpenSuseEcosystem : IEcosystem
{
    public string Name => "opensuse";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => RpmVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Rpm;
    public IReadOnlyList<string> AdvisoryEcosystems => ["openSUSE"];
    public IReadOnlyList<string> DistributionIds => ["opensuse-leap", "opensuse-tumbleweed"];
    public IReadOnlyList<DistributionRelease> Releases => SuseReleases.Of("opensuse-leap");
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => SuseReleases.ProductsOf("opensuse-leap");

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null) return null;
        return OsvEcosystemOf(distribution) is { } ecosystem ? new AdvisoryKey(ecosystem, package.Name, package.Version) : null;
    }

    /// <summary>"openSUSE:Tumbleweed", or "openSUSE:Leap " + VERSION_ID when its major is a number; otherwise null.</summary>
    public static string? OsvEcosystemOf(Distribution distribution)
    {
        if (distribution.Id == "opensuse-tumbleweed") return "openSUSE:Tumbleweed";
        var version = distribution.VersionId.Trim();
        var major = version.Split('.', 2)[0];
        return distribution.Id == "opensuse-leap" && major.Length > 0 && major.All(char.IsAsciiDigit) ? "openSUSE:Leap " + version : null;
    }
}
