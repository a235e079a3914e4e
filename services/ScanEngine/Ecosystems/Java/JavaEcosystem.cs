using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Java;

/// <summary>
/// Java: Maven artifacts found in archives, Maven's version order, and OSV's "Maven" advisories (GHSA), which name
/// packages "groupId:artifactId" (e.g. "org.apache.logging.log4j:log4j-core").
/// </summary>
public sealed class JavaEcosystem : IEcosystem
{
    public const string OsvEcosystem = "Maven";

    public PackageType PackageType => PackageType.Maven;
    public string Name => "java";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new JavaArchiveFinder()];
    public IVersionComparer VersionComparer => MavenVersionComparer.Instance;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    /// <summary>The OSV key of a maven package: ("Maven", "groupId:artifactId", version); null for other types.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id) return null;
        var colon = package.Name.IndexOf(':');
        if (colon <= 0 || colon == package.Name.Length - 1) return null;
        return new AdvisoryKey(OsvEcosystem, package.Name, package.Version);
    }
}
