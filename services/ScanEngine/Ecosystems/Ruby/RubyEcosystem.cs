using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ruby;

/// <summary>Ruby: installed gems, Gem::Version ordering and OSV's "RubyGems" advisories (names as written).</summary>
public sealed class RubyEcosystem : IEcosystem
{
    public const string OsvEcosystem = "RubyGems";
    public const string PackageType = "gem";

    public string Name => "ruby";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new GemSpecificationFinder()];
    public IVersionComparer VersionComparer => RubyGemsVersionComparer.Instance;
    public bool IsOperatingSystem => false;

    /// <summary>("RubyGems", gem name, version) for gems; null for any other type.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType ? new AdvisoryKey(OsvEcosystem, package.Name, package.Version) : null;
}
