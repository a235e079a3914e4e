using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ubuntu;

/// <summary>
/// Ubuntu Pro (Expanded Security Maintenance) advisories of LTS releases, OSV ecosystem "Ubuntu:Pro:YY.MM:LTS".
/// Canonical files there the fixes of the ESM archives, and for many universe packages every fix at all: netty on
/// 20.04 is listed only under "Ubuntu:Pro:20.04:LTS", with the standard archive's "1:4.1.45-1" among its affected
/// versions. So an LTS image's packages are also keyed here, next to <see cref="UbuntuEcosystem"/>'s standard key,
/// whether or not the image has Pro enabled: the installed version is vulnerable either way, and the reported fix
/// (an "~esm"/"+esm" version) tells that it comes from Ubuntu Pro.
/// <para>No finder of its own, like <see cref="UbuntuEcosystem"/>: packages come from the Debian ecosystem's dpkg finder.</para>
/// </summary>
public sealed class UbuntuProEcosystem : IEcosystem
{
    public string Name => "ubuntu-pro";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => DpkgVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Deb;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Ubuntu"];

    /// <summary>The "Ubuntu:Pro:YY.MM:LTS" key of a dpkg package on an Ubuntu LTS release; null off LTS Ubuntu.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (UbuntuEcosystem.ReleaseOf(package, distribution) is not { } release
            || !UbuntuEcosystem.IsLts(release, distribution!.PrettyName)) return null;
        return new AdvisoryKey($"{UbuntuEcosystem.OsvEcosystemPrefix}Pro:{release}:LTS", package.SourceName ?? package.Name,
            package.SourceVersion ?? package.Version);
    }
}
