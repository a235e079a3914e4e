using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ruby;

/// <summary>Ruby: installed gems, Gem::Version ordering and OSV's "RubyGems" advisories (names as written).</summary>
public sealed class RubyEcosystem : IEcosystem
{
    public const string OsvEcosystem = "RubyGems";

    public PackageType PackageType => PackageType.Gem;
    public string Name => "ruby";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new GemSpecificationFinder()];
    public IVersionComparer VersionComparer => RubyGemsVersionComparer.Instance;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    /// <summary>("RubyGems", gem name, version) for gems; null for any other type.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType.Id ? new AdvisoryKey(OsvEcosystem, package.Name, package.Version) : null;
}
