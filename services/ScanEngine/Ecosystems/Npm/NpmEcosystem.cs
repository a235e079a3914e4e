using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;

namespace ImageScanning.ScanEngine.Ecosystems.Npm;

/// <summary>
/// npm: installed node_modules packages and package-lock.json files, SemVer ordering (node-semver loose),
/// and OSV's "npm" advisories, which name packages exactly as npm does ("@babel/traverse", "lodash").
/// </summary>
public sealed class NpmEcosystem : IEcosystem
{
    public const string OsvEcosystem = "npm";

    public PackageType PackageType => PackageType.Npm;
    public string Name => "npm";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new NpmFinder()];
    public IVersionComparer VersionComparer => SemVerComparer.Instance;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType.Id ? new AdvisoryKey(OsvEcosystem, package.Name, package.Version) : null;
}
