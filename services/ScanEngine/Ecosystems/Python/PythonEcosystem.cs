using System.Text;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Python;

/// <summary>
/// Python: installed distributions (dist-info, egg-info), PEP 440 ordering, and OSV's "PyPI" advisories
/// (PYSEC and GHSA), which name projects case- and separator-insensitively (PEP 503).
/// </summary>
public sealed class PythonEcosystem : IEcosystem
{
    public const string OsvEcosystem = "PyPI";

    public PackageType PackageType => PackageType.PyPI;
    public string Name => "python";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new PythonPackageFinder()];
    public IVersionComparer VersionComparer => Pep440VersionComparer.Instance;
    public bool IsOperatingSystem => false;
    public IReadOnlyList<string> AdvisoryEcosystems => [OsvEcosystem];

    /// <summary>("PyPI", PEP 503 name, version) for pypi packages; null for any other type.</summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution) =>
        package.Type == PackageType.Id
            ? new AdvisoryKey(OsvEcosystem, NormalizeName(package.Name), package.Version)
            : null;

    /// <summary>PEP 503: lower case, and every run of "-", "_" and "." one "-" ("PyYAML" is "pyyaml", "zope.interface" "zope-interface").</summary>
    public string NormalizeName(string name)
    {
        var builder = new StringBuilder(name.Length);
        var pendingSeparator = false;
        foreach (var c in name.Trim())
        {
            if (c is '-' or '_' or '.')
            {
                pendingSeparator = true;
                continue;
            }
            if (pendingSeparator && builder.Length > 0) builder.Append('-');
            pendingSeparator = false;
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
