using ImageScanning.ScanEngine.Ecosystems.Debian;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Ubuntu;

/// <summary>
/// Ubuntu: dpkg packages, dpkg version ordering, and OSV's Ubuntu advisories, which name the source package and
/// use the ecosystem "Ubuntu:YY.MM:LTS" for long-term-support releases ("Ubuntu:22.04:LTS") and "Ubuntu:YY.MM" for
/// the others ("Ubuntu:25.10"). The Ubuntu Pro (ESM) records, "Ubuntu:Pro:YY.MM:LTS", are keyed by
/// <see cref="UbuntuProEcosystem"/>.
/// <para>
/// This ecosystem has no finder of its own: the packages are found by the Debian ecosystem's
/// <see cref="DpkgFinder"/> (running a second one would report every package twice), and keyed here when the
/// distribution id is "ubuntu" (the Debian ecosystem keys only "debian").
/// </para>
/// </summary>
public sealed class UbuntuEcosystem : IEcosystem
{
    public const string OsvEcosystemPrefix = "Ubuntu:";

    public string Name => "ubuntu";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => DpkgVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Deb;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Ubuntu"];
    public IReadOnlyList<string> DistributionIds => ["ubuntu"];
    public IReadOnlyList<DistributionRelease> Releases => UbuntuReleases.All;
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => UbuntuReleases.Products;

    /// <summary>
    /// The OSV key of a dpkg package on Ubuntu: the release's ecosystem, the source package and its version.
    /// Null for other package types, other distributions and an Ubuntu without a YY.MM version.
    /// </summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (ReleaseOf(package, distribution) is not { } release) return null;
        var ecosystem = IsLts(release, distribution!.PrettyName) ? $"{OsvEcosystemPrefix}{release}:LTS" : OsvEcosystemPrefix + release;
        return new AdvisoryKey(ecosystem, package.SourceName ?? package.Name, package.SourceVersion ?? package.Version);
    }

    /// <summary>The YY.MM release of a dpkg package on Ubuntu, else null.</summary>
    internal static string? ReleaseOf(Package package, Distribution? distribution) =>
        package.Type == PackageType.Deb.Id && distribution is { Id: "ubuntu" } ? Release(distribution.VersionId) : null;

    /// <summary>"22.04" and "22.04.3" give "22.04"; anything that is not YY.MM gives null.</summary>
    public static string? Release(string versionId)
    {
        var parts = versionId.Trim().Split('.');
        if (parts.Length < 2 || parts[0].Length is 0 or > 4 || parts[1].Length != 2
            || !parts[0].All(char.IsAsciiDigit) || !parts[1].All(char.IsAsciiDigit)) return null;
        return $"{parts[0]}.{parts[1]}";
    }

    /// <summary>
    /// Whether a release is LTS: os-release says so in its name ("Ubuntu 22.04.3 LTS"), else by Ubuntu's rule that
    /// the April release of even years is LTS (minimal images may lack a pretty name).
    /// </summary>
    public static bool IsLts(string release, string? prettyName)
    {
        if (prettyName is not null && prettyName.Contains(" LTS", StringComparison.Ordinal)) return true;
        var parts = release.Split('.');
        return parts.Length == 2 && parts[1] == "04" && int.TryParse(parts[0], out var year) && year % 2 == 0;
    }
}
