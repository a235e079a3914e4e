using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Advisories;

/// <summary>
/// How package names are compared between an image's packages and advisories: exact, after the canonical form the
/// advisory ecosystem's owner gives both sides (<see cref="IEcosystem.NormalizeName"/>): PEP 503 for PyPI, lower case
/// for NuGet and Packagist, the name as written everywhere else.
/// </summary>
public static class AdvisoryPackageNames
{
    public static string Normalize(string ecosystem, string name)
    {
        ArgumentNullException.ThrowIfNull(ecosystem);
        ArgumentNullException.ThrowIfNull(name);
        return EcosystemCatalog.OwnerOf(BaseEcosystem(ecosystem)) is { } owner ? owner.NormalizeName(name) : name;
    }

    /// <summary>Whether an advisory's package names the same package as (ecosystem, name).</summary>
    public static bool SamePackage(string ecosystem, string name, string otherEcosystem, string otherName) =>
        string.Equals(ecosystem, otherEcosystem, StringComparison.Ordinal)
        && string.Equals(Normalize(ecosystem, name), Normalize(otherEcosystem, otherName), StringComparison.Ordinal);

    /// <summary>"Debian:12" → "Debian", "Ubuntu:Pro:22.04:LTS" → "Ubuntu", "npm" → "npm".</summary>
    public static string BaseEcosystem(string ecosystem)
    {
        var colon = ecosystem.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? ecosystem[..colon] : ecosystem;
    }
}
