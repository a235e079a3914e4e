using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;

namespace ImageScanning.ScanEngine.Ecosystems.Go;

/// <summary>
/// Go: modules compiled into Go binaries, SemVer ordering (module versions, pseudo-versions, "+incompatible"),
/// and OSV's "Go" advisories (go-vulndb, GHSA), which name modules by path and Go itself "stdlib".
/// </summary>
/// <remarks>
/// Modules built from a working tree or a local replacement carry "(devel)": no release is known, so they are
/// listed but not matched. go-vulndb writes versions without Go's "v" prefix ("fixed": "0.17.0"), so keys drop it.
/// </remarks>
public sealed class GoEcosystem : IEcosystem
{
    public const string OsvEcosystem = "Go";

    public PackageType PackageType => PackageType.Golang;
    public string Name => "go";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new GoBinaryFinder()];
    public IVersionComparer VersionComparer => SemVerComparer.Go;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || package.Version == GoModuleVersions.Devel || package.Version.Length == 0) return null;
        var version = package.Version.StartsWith('v') ? package.Version[1..] : package.Version;
        return new AdvisoryKey(OsvEcosystem, package.Name, version);
    }
}
