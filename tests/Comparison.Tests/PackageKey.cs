using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Comparison.Tests;

/// <summary>
/// One package identity both tools can agree on: the purl type, a name normalised the way the purl
/// spec and the ecosystem do (case-insensitive, PEP 503 for PyPI, OS vendor namespace dropped), and the version.
/// </summary>
public sealed partial record PackageKey(string Type, string Name, string Version)
{
    private static readonly HashSet<string> OsTypes = ["deb", "apk", "rpm"];

    /// <summary>
    /// Trivy v0.44 writes the OS family, not "rpm", as the purl type of some rpm distributions
    /// (pkg:cbl-mariner/..., its PkgType too); the packages are rpm packages all the same.
    /// </summary>
    private static readonly HashSet<string> TrivyRpmFamilies = ["cbl-mariner", "mariner", "azurelinux", "photon", "amazon", "oracle", "suse", "opensuse"];

    public override string ToString() => $"{Type}:{Name}@{Version}";

    public static PackageKey Of(Package package) => Create(package.Type, package.Name, package.Version);

    public static PackageKey Of(TrivyPackage package)
    {
        var type = TrivyRpmFamilies.Contains(package.Type) ? "rpm" : package.Type;
        var name = package.Name;
        // Trivy's purls put the distribution (debian, alpine, ...) in the namespace; our names are the package name alone.
        if (OsTypes.Contains(type) && name.LastIndexOf('/') is var slash and >= 0) name = name[(slash + 1)..];
        // Maven purls write group/artifact; we (and Maven coordinates) write group:artifact.
        if (type == "maven") name = name.Replace('/', ':');
        return Create(type, name, package.Version);
    }

    private static PackageKey Create(string type, string name, string version)
    {
        var normalised = name.ToLowerInvariant();
        if (type == "pypi") normalised = PypiSeparators().Replace(normalised, "-");
        return new PackageKey(type, normalised, version.Trim());
    }

    [GeneratedRegex("[-_.]+")]
    private static partial Regex PypiSeparators();
}
