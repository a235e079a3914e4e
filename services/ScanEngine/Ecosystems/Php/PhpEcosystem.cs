using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Php;

/// <summary>PHP: Composer-installed packages, Composer version ordering and OSV's "Packagist" advisories.</summary>
public sealed class PhpEcosystem : IEcosystem
{
    public const string OsvEcosystem = "Packagist";

    public PackageType PackageType => PackageType.Composer;
    public string Name => "php";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new ComposerInstalledFinder()];
    public IVersionComparer VersionComparer => ComposerVersionComparer.Instance;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    /// <summary>("Packagist", lower-case "vendor/package", version) for composer packages; null otherwise.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType.Id
            ? new AdvisoryKey(OsvEcosystem, package.Name.Trim().ToLowerInvariant(), package.Version)
            : null;

    /// <summary>Lower case: Packagist names are case-insensitive (also "Packagist:&lt;repository&gt;").</summary>
    public string NormalizeName(string name) => name.Trim().ToLowerInvariant();
}
