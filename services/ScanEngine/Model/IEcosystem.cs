namespace ImageScanning.ScanEngine.Model;

/// <summary>Where to look a package up in the advisory database: OSV ecosystem and package name.</summary>
public readonly record struct AdvisoryKey(string Ecosystem, string PackageName, string Version);

/// <summary>
/// One folder of the engine: how an ecosystem's packages are found, how its versions compare and
/// how its advisories name its packages. A new ecosystem is a new implementation and nothing else.
/// </summary>
public interface IEcosystem
{
    string Name { get; }
    IReadOnlyList<IPackageFinder> Finders { get; }
    IVersionComparer VersionComparer { get; }

    /// <summary>Whether this ecosystem's finders run in BASIC scans (OS packages) or only in ENHANCED.</summary>
    bool IsOperatingSystem { get; }

    /// <summary>The advisory key for a package this ecosystem found, or null when it has no advisories.</summary>
    AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution);
}
