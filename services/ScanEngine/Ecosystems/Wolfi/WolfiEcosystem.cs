using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Wolfi;

/// <summary>
/// Wolfi and Chainguard OS: apk-based, rolling (no release in the advisory ecosystem). OSV names their advisories'
/// ecosystems "Wolfi" and "Chainguard" and the packages by origin (source) name, as their secdb does.
/// <para>
/// This ecosystem has no finder of its own: the apk packages are found by the Alpine ecosystem's
/// <see cref="ApkFinder"/> (running a second one would report every package twice), and keyed here when the
/// distribution id is "wolfi" or "chainguard" (the Alpine ecosystem keys only "alpine").
/// </para>
/// </summary>
public sealed class WolfiEcosystem : IEcosystem
{
    public const string WolfiOsvEcosystem = "Wolfi";
    public const string ChainguardOsvEcosystem = "Chainguard";

    public string Name => "wolfi";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => ApkVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Apk;
    public IReadOnlyList<string> AdvisoryEcosystems => [WolfiOsvEcosystem, ChainguardOsvEcosystem];
    public IReadOnlyList<string> DistributionIds => ["wolfi", "chainguard"];
    // Rolling: no release ends, so no Releases (the default).

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null) return null;
        var ecosystem = distribution.Id switch
        {
            "wolfi" => WolfiOsvEcosystem,
            "chainguard" => ChainguardOsvEcosystem,
            _ => null,
        };
        return ecosystem is null
            ? null
            : new AdvisoryKey(ecosystem, package.SourceName ?? package.Name, package.SourceVersion ?? package.Version);
    }
}
