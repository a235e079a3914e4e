using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// rpm-based distributions: rpm databases, rpm version ordering, and the OSV ecosystems of the vendors that
/// publish their advisories to OSV. Per vendor (os-release ID → OSV ecosystem, package name, version):
/// <list type="bullet">
///   <item>almalinux → "AlmaLinux:MAJOR", binary package name (ALSA records list every binary rpm);</item>
///   <item>rocky → "Rocky Linux:MAJOR", binary package name (RLSA records, same shape);</item>
///   <item>mageia → "Mageia:VERSION", source package name (MGASA records name SRPMs);</item>
///   <item>azurelinux → "Azure Linux:MAJOR", mariner (CBL-Mariner 2.0) → "Azure Linux:2", source package name.</item>
/// </list>
/// The version is rpm's "[epoch:]version-release" (the source package's for source-named vendors); records
/// write "0:1.2-3.el9" or "1.2-3.el9", which <see cref="RpmVersionComparer"/> orders the same way.
/// <para>
/// No key (null) where the distribution publishes no advisories the engine reads: CentOS and Fedora have no OSV ecosystem.
/// RHEL and UBI ("rhel") are keyed by <see cref="RedHat.RedHatEcosystem"/>, per repository stream from the image's content
/// manifests; Amazon Linux ("amzn") by <see cref="AmazonLinux.AmazonLinuxEcosystem"/> and Oracle Linux ("ol") by
/// <see cref="Oracle.OracleLinuxEcosystem"/>, from their vendors' own feeds; SUSE Linux Enterprise and openSUSE
/// ("sles", "sled", "opensuse-*") by the <see cref="Suse.SuseEcosystems"/>.
/// </para>
/// </summary>
public sealed class RpmEcosystem : IEcosystem
{
    public string Name => "rpm";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new RpmFinder()];
    public IVersionComparer VersionComparer => RpmVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Rpm;
    public IReadOnlyList<string> AdvisoryEcosystems => ["AlmaLinux", "Rocky Linux", "Mageia", "Azure Linux"];
    public IReadOnlyList<string> DistributionIds => ["centos", "fedora", "rocky", "almalinux", "azurelinux", "mariner", "mageia"];
    public IReadOnlyList<DistributionRelease> Releases => RpmReleases.All;
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => RpmReleases.Products;

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null) return null;
        var (ecosystem, bySource) = OsvEcosystemOf(distribution);
        if (ecosystem is null) return null;
        return bySource
            ? new AdvisoryKey(ecosystem, package.SourceName ?? package.Name, package.SourceVersion ?? package.Version)
            : new AdvisoryKey(ecosystem, package.Name, package.Version);
    }

    /// <summary>The OSV ecosystem of a distribution's advisories and whether they name source packages.</summary>
    public static (string? Ecosystem, bool BySourceName) OsvEcosystemOf(Distribution distribution)
    {
        var version = distribution.VersionId.Trim();
        var major = version.Split('.', 2)[0];
        if (major.Length == 0 || !major.All(char.IsAsciiDigit)) return (null, false);
        return distribution.Id switch
        {
            "almalinux" => ("AlmaLinux:" + major, false),
            "rocky" => ("Rocky Linux:" + major, false),
            "mageia" => ("Mageia:" + version, true),
            "azurelinux" => ("Azure Linux:" + major, true),
            "mariner" when major == "2" => ("Azure Linux:2", true),
            _ => (null, false),
        };
    }
}
