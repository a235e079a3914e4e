using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.AmazonLinux;

/// <summary>
/// Amazon Linux 1, 2, 2022 and 2023 (os-release ID "amzn"): rpm packages keyed by binary name and
/// "[epoch:]version-release" under the advisory ecosystem "Amazon Linux:RELEASE". OSV has no Amazon ecosystem, so
/// the name is this engine's own, and the only records under it are the ones <see cref="AlasUpdateInfoSource"/>
/// converts from Amazon's yum updateinfo.xml; the two agree through <see cref="OsvEcosystemOf"/>.
/// <para>
/// Like Ubuntu and Wolfi it has no finder of its own: <see cref="RpmFinder"/> (the rpm ecosystem's) reads the
/// rpm database, and this ecosystem keys what it finds on Amazon Linux.
/// </para>
/// </summary>
public sealed class AmazonLinuxEcosystem : IEcosystem
{
    public const string OsvEcosystemPrefix = "Amazon Linux:";
    public const string DistributionId = "amzn";

    public string Name => "amazon-linux";
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => RpmVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Rpm;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Amazon Linux"];
    /// <summary>None: osv.dev carries no advisories of this vendor, only its native feed does.</summary>
    public IReadOnlyList<string> OsvDevExports => [];
    public IReadOnlyList<string> DistributionIds => [DistributionId];
    public IReadOnlyList<DistributionRelease> Releases => AmazonLinuxReleases.All;
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => AmazonLinuxReleases.Products;
    public IReadOnlyList<NativeFeedFormat> NativeFeeds { get; } =
    [
        new NativeFeedFormat(AlasUpdateInfoSource.SourceName,
            "an Amazon Linux yum repository's updateinfo.xml, gzip or plain (the updateinfo location of its repodata/repomd.xml)",
            () => new AlasUpdateInfoSource(), AlasUpdateInfoSource.LooksLikeUpdateInfo),
    ];

    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (package.Type != PackageType.Id || distribution is null || distribution.Id != DistributionId) return null;
        return ReleaseOf(distribution.VersionId) is { } release
            ? new AdvisoryKey(OsvEcosystemPrefix + release, package.Name, package.Version)
            : null;
    }

    /// <summary>"Amazon Linux:2023" for an os-release VERSION_ID, or null.</summary>
    public static string? OsvEcosystemOf(string versionId) => ReleaseOf(versionId) is { } r ? OsvEcosystemPrefix + r : null;

    /// <summary>
    /// The release of an os-release VERSION_ID: "2" → "2"; "2022", "2023" (and later four-digit releases) as written;
    /// Amazon Linux 1's dated versions ("2018.03", "2017.09") → "1". Anything else (empty, "2.0", words) → null.
    /// </summary>
    public static string? ReleaseOf(string versionId)
    {
        var parts = versionId.Trim().Split('.');
        if (parts.Any(p => p.Length == 0 || p.Length > 4 || !p.All(char.IsAsciiDigit))) return null;
        var major = parts[0];
        return (major, parts.Length) switch
        {
            ("2", 1) => "2",
            (_, 1) when major.Length == 4 && int.Parse(major) >= 2022 => major,
            (_, 2) when major.Length == 4 && int.Parse(major) is >= 2010 and <= 2018 => "1",
            _ => null,
        };
    }

    /// <summary>
    /// The release an ALAS id belongs to, from its prefix: ALAS2- → "2", ALAS2022- → "2022", ALAS2023- → "2023",
    /// ALAS- → "1". Null for others, including Amazon Linux 2 Extras topics ("ALAS2KERNEL-5.10-2022-001",
    /// "ALAS2DOCKER-…"): the rpm database does not record which topic a package came from.
    /// </summary>
    public static string? ReleaseOfAdvisoryId(string id)
    {
        if (!id.StartsWith("ALAS", StringComparison.Ordinal)) return null;
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return null;
        var suffix = id[4..dash];
        var release = suffix switch
        {
            "" => "1",
            "2" => "2",
            _ when suffix.Length == 4 && suffix.All(char.IsAsciiDigit) && int.Parse(suffix) >= 2022 => suffix,
            _ => null,
        };
        // The rest is YEAR-NUMBER: "2023-001".
        var rest = id[(dash + 1)..].Split('-');
        return release is not null && rest.Length == 2 && rest.All(p => p.Length is > 0 and <= 8 && p.All(char.IsAsciiDigit)) ? release : null;
    }
}
