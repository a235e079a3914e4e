using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Distributions;

/// <summary>
/// The end of support of a detected distribution's release: the OS ecosystems' tables (<see cref="IEcosystem.Releases"/>), with the
/// entries of an endoflife.date feed on top (a feed entry replaces the code's entry for the same release).
/// </summary>
public sealed class DistributionSupport
{
    private readonly Dictionary<string, Dictionary<string, DistributionRelease>> _byId = new(StringComparer.Ordinal);

    /// <summary>Later entries replace earlier ones of the same distribution and version.</summary>
    public DistributionSupport(IEnumerable<DistributionRelease> releases)
    {
        foreach (var release in releases)
        {
            if (!_byId.TryGetValue(release.DistributionId, out var versions))
                _byId[release.DistributionId] = versions = new Dictionary<string, DistributionRelease>(StringComparer.Ordinal);
            versions[release.Version] = release;
        }
        Count = _byId.Values.Sum(v => v.Count);
    }

    /// <summary>The code's table: every OS ecosystem's releases.</summary>
    public static DistributionSupport Code { get; } = FromEcosystems(EcosystemCatalog.All());

    public static DistributionSupport FromEcosystems(IEnumerable<IEcosystem> ecosystems, IEnumerable<DistributionRelease>? feed = null) =>
        new(ecosystems.SelectMany(e => e.Releases).Concat(feed ?? []));

    public int Count { get; }

    public DistributionRelease? ReleaseOf(Distribution distribution) => ReleaseOf(distribution.Id, distribution.VersionId);

    /// <summary>
    /// The release whose dotted components begin <paramref name="versionId"/>, the longest winning: Alpine "3.19.1" is "3.19" (and
    /// "3.20.1" is not "3.2"), RHEL "8.9" is "8", SLES "15.5" is "15.5". Null for an unknown release or distribution.
    /// </summary>
    public DistributionRelease? ReleaseOf(string distributionId, string versionId)
    {
        if (!_byId.TryGetValue(distributionId, out var versions) || versionId.Length == 0) return null;
        var components = versionId.Split('.');
        for (var length = components.Length; length > 0; length--)
            if (versions.TryGetValue(string.Join('.', components[..length]), out var release))
                return release;
        return null;
    }
}
