using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Versions;

namespace ImageScanning.ScanEngine.Ecosystems.Rust;

/// <summary>
/// Rust: crates from Cargo.lock files, SemVer ordering (Cargo versions are SemVer 2.0), and OSV's
/// "crates.io" advisories (GHSA and RustSec), which name crates exactly as crates.io does.
/// </summary>
public sealed class RustEcosystem : IEcosystem
{
    public const string OsvEcosystem = "crates.io";

    public PackageType PackageType => PackageType.Cargo;
    public string Name => "rust";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new CargoLockFinder(), new AuditableBinaryFinder()];
    public IVersionComparer VersionComparer => SemVerComparer.Instance;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType.Id ? new AdvisoryKey(OsvEcosystem, package.Name, package.Version) : null;
}
