using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Python;

/// <summary>
/// Python: installed distributions (dist-info, egg-info), PEP 440 ordering, and OSV's "PyPI" advisories
/// (PYSEC and GHSA), which name projects case- and separator-insensitively (PEP 503).
/// </summary>
public sealed class PythonEcosystem : IEcosystem
{
    public const string OsvEcosystem = "PyPI";
    public const string PackageType = "pypi";

    public string Name => "python";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new PythonPackageFinder()];
    public IVersionComparer VersionComparer => Pep440VersionComparer.Instance;
    public bool IsOperatingSystem => false;

    /// <summary>("PyPI", PEP 503 name, version) for pypi packages; null for any other type.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType
            ? new AdvisoryKey(OsvEcosystem, AdvisoryPackageNames.Normalize(OsvEcosystem, package.Name), package.Version)
            : null;
}
