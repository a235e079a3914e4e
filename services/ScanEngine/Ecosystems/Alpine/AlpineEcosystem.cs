using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>
/// Alpine Linux: apk packages, apk version ordering, and OSV's Alpine advisories, which name the origin (source)
/// package ("musl", "openssl": the aports directory, as Alpine's secdb does) and use the ecosystem
/// "Alpine:vMAJOR.MINOR" (e.g. "Alpine:v3.18").
/// <para>
/// Its <see cref="ApkFinder"/> finds the apk packages of every apk-based distribution; Wolfi and Chainguard OS key
/// them for their own advisories (<see cref="Wolfi.WolfiEcosystem"/>), this ecosystem only for Alpine.
/// </para>
/// </summary>
public sealed class AlpineEcosystem : IEcosystem
{
    public const string OsvEcosystemPrefix = "Alpine:v";

    public string Name => "alpine";
    public IReadOnlyList<IPackageFinder> Finders { get; } = [new ApkFinder()];
    public IVersionComparer VersionComparer => ApkVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Apk;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Alpine"];
    public IReadOnlyList<string> DistributionIds => ["alpine"];
    public IReadOnlyList<DistributionRelease> Releases => AlpineReleases.All;
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => AlpineReleases.Products;
    public IReadOnlyList<NativeFeedFormat> NativeFeeds { get; } =
    [
        new(AlpineSecdbSource.SourceName, "an Alpine, Wolfi or Chainguard secdb file, JSON or YAML (secdb.alpinelinux.org/vX.Y/main.json)",
            () => new AlpineSecdbSource(), AlpineSecdbSource.LooksLikeSecdb, MergesFilesById: true),
    ];

    /// <summary>
    /// The OSV key of an apk package on Alpine: "Alpine:v" + major.minor of VERSION_ID ("3.18.4" gives
    /// "Alpine:v3.18"), the origin package and the package version. Null for other package types, other
    /// distributions, and Alpine edge or other versions without a plain major.minor ("3.21_alpha20240807"),
    /// which OSV does not cover.
    /// </summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null || distribution.Id != "alpine") return null;
        var release = MajorMinor(distribution.VersionId);
        if (release is null) return null;
        return new AdvisoryKey(OsvEcosystemPrefix + release, package.SourceName ?? package.Name, package.SourceVersion ?? package.Version);
    }

    /// <summary>"3.18.4" and "3.18" give "3.18"; "3", "", "edge" and "3.21_alpha20240807" give null.</summary>
    public static string? MajorMinor(string versionId)
    {
        var parts = versionId.Trim().Split('.');
        if (parts.Length < 2 || !IsNumber(parts[0]) || !IsNumber(parts[1])) return null;
        return $"{int.Parse(parts[0])}.{int.Parse(parts[1])}";
    }

    private static bool IsNumber(string s) => s.Length is > 0 and <= 6 && s.All(char.IsAsciiDigit);
}
