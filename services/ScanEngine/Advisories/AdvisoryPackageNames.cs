using System.Text;

namespace ImageScanning.ScanEngine.Advisories;

/// <summary>
/// How package names are compared between an image's packages and advisories. Names are exact,
/// except in ecosystems whose registries treat names as case-insensitive, where both sides are
/// canonicalised the same way before the (exact) lookup:
/// <list type="bullet">
///   <item>PyPI: PEP 503 (lower case, runs of "-", "_", "." become "-"): "PyYAML" = "pyyaml";</item>
///   <item>NuGet: lower case ("jQuery" and "jquery" both occur in GHSA records);</item>
///   <item>Packagist (also "Packagist:&lt;repository&gt;"): lower case.</item>
/// </list>
/// Everything else (Debian, Ubuntu, Alpine, npm, Maven, Go, crates.io, RubyGems...) is compared as written.
/// </summary>
public static class AdvisoryPackageNames
{
    public static string Normalize(string ecosystem, string name)
    {
        ArgumentNullException.ThrowIfNull(ecosystem);
        ArgumentNullException.ThrowIfNull(name);
        var baseEcosystem = BaseEcosystem(ecosystem);
        if (baseEcosystem.Equals("PyPI", StringComparison.OrdinalIgnoreCase)) return Pep503(name);
        if (baseEcosystem.Equals("NuGet", StringComparison.OrdinalIgnoreCase)
            || baseEcosystem.Equals("Packagist", StringComparison.OrdinalIgnoreCase))
            return name.Trim().ToLowerInvariant();
        return name;
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

    private static string Pep503(string name)
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
