using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;

namespace ImageScanning.ScanEngine.Ecosystems.DotNet;

/// <summary>
/// .NET: NuGet packages from *.deps.json, NuGet version ordering (SemVer with a fourth number and
/// case-insensitive prerelease labels), and OSV's "NuGet" advisories. NuGet ids are case-insensitive; the
/// advisory store lower-cases both sides (AdvisoryPackageNames), so the id is passed as the image has it.
/// </summary>
public sealed class DotNetEcosystem : IEcosystem
{
    public const string OsvEcosystem = "NuGet";

    public PackageType PackageType => PackageType.NuGet;
    public string Name => "dotnet";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new DepsJsonFinder()];
    public IVersionComparer VersionComparer => SemVerComparer.NuGet;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType.Id ? new AdvisoryKey(OsvEcosystem, package.Name, package.Version) : null;

    /// <summary>Lower case: NuGet treats package ids case-insensitively ("jQuery" and "jquery" both occur in GHSA records).</summary>
    public string NormalizeName(string name) => name.Trim().ToLowerInvariant();
}
