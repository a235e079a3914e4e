using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Rpm;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// Red Hat Enterprise Linux and UBI (os-release ID "rhel" for both): rpm packages, keyed to Red Hat's OSV advisories,
/// whose ecosystems name a product and a repository stream: "Red Hat:enterprise_linux:9::baseos",
/// "Red Hat:enterprise_linux:8::appstream", "Red Hat:rhel_e4s:8.6::appstream" (the CPE of the product the fix shipped
/// in). The binary rpm's name and "[epoch:]version-release" are the key, as the records list every binary rpm.
/// <para>
/// The rpm database does not record which repository a package came from, so, as Trivy and Clair do, the streams come
/// from the content sets of the image's Red Hat content manifests (<see cref="RedHatContentManifests"/>, carried on
/// each package by the rpm finder), mapped by <see cref="RedHatContentSets"/>; without a manifest, every package is
/// keyed under its release's main streams (baseos and appstream of enterprise_linux:MAJOR). A package may so be keyed
/// under several streams: one instance of this class per channel (<see cref="All"/>), each giving at most one key,
/// as Ubuntu and Ubuntu Pro key one dpkg package twice. That does not double-report: an advisory is one record whatever
/// streams its affected entries name, and the matcher keeps the first match per package and advisory id.
/// </para>
/// <para>
/// Only Red Hat's own rpms are keyed (VENDOR "Red Hat, Inc."): EPEL's or a third party's rpm of the same name is
/// another build whose versions Red Hat's advisories do not describe. gpg-pubkey entries (imported signing keys) are
/// never keyed. Versions compare with <see cref="RedHatVersionComparer"/>: rpm order, modular and non-modular builds
/// apart.
/// </para>
/// <para>No finder of its own: the packages come from the rpm ecosystem's <see cref="RpmFinder"/>.</para>
/// </summary>
public sealed class RedHatEcosystem : IEcosystem
{
    public const string DistributionId = "rhel";
    public const string RedHatVendorPrefix = "Red Hat";

    /// <summary>The channels keyed, one instance each; the first also names the distribution and the native feeds.</summary>
    public static IReadOnlyList<string> Channels { get; } =
        ["baseos", "appstream", "crb", "server", "highavailability", "resilientstorage", "supplementary", "realtime", "nfv", ReleaseChannel];

    /// <summary>
    /// Not a repository: the whole release, "Red Hat:enterprise_linux:MAJOR", under which Red Hat's VEX documents list the
    /// packages still affected (no fix yet). Every Red Hat rpm of the release is keyed there.
    /// </summary>
    public const string ReleaseChannel = "release";

    private readonly bool _primary;

    public RedHatEcosystem(string channel)
    {
        if (!Channels.Contains(channel, StringComparer.Ordinal)) throw new ArgumentException($"'{channel}' is not a keyed channel.", nameof(channel));
        Channel = channel;
        _primary = channel == Channels[0];
    }

    /// <summary>Every channel's instance, the main ones first, for the catalog.</summary>
    public static IReadOnlyList<IEcosystem> All() => Channels.Select(c => (IEcosystem)new RedHatEcosystem(c)).ToList();

    public string Channel { get; }
    public string Name => "redhat-" + Channel;
    public IReadOnlyList<IPackageFinder> Finders => [];
    public IVersionComparer VersionComparer => RedHatVersionComparer.Instance;
    public bool IsOperatingSystem => true;
    public PackageType PackageType => PackageType.Rpm;
    public IReadOnlyList<string> AdvisoryEcosystems => ["Red Hat"];
    public IReadOnlyList<string> DistributionIds => _primary ? [DistributionId] : [];
    public IReadOnlyList<DistributionRelease> Releases => _primary ? RedHatReleases.All : [];
    public IReadOnlyList<EndOfLifeProduct> EndOfLifeProducts => _primary ? RedHatReleases.Products : [];

    public IReadOnlyList<NativeFeedFormat> NativeFeeds => _primary
        ?
        [
            new NativeFeedFormat(RedHatCsafSource.SourceName, "a Red Hat CSAF 2.0 security advisory (security.access.redhat.com/data/csaf/v2/advisories)",
                () => new RedHatCsafSource(), head => RedHatCsafSource.LooksLikeCsaf(head, "csaf_security_advisory")),
            new NativeFeedFormat(RedHatVexSource.SourceName, "a Red Hat CSAF VEX document of one CVE (security.access.redhat.com/data/csaf/v2/vex)",
                () => new RedHatVexSource(), head => RedHatCsafSource.LooksLikeCsaf(head, "csaf_vex")),
        ]
        : [];

    /// <summary>
    /// The key of a Red Hat rpm on RHEL/UBI under this instance's channel: the package's stream of that channel (from its
    /// content sets, else the release's defaults), its name and version. Null for other packages, distributions and
    /// channels the package is not keyed under.
    /// </summary>
    public AdvisoryKey? AdvisoryKeyFor(Package package, Distribution? distribution)
    {
        if (!IsRedHatRpm(package) || distribution is not { Id: DistributionId }) return null;
        if (Channel == ReleaseChannel)
            return RedHatContentSets.ReleaseEcosystem(distribution.VersionId) is { } release ? new AdvisoryKey(release, package.Name, package.Version) : null;
        foreach (var stream in RedHatContentSets.StreamsOf(package.ContentSets, distribution.VersionId))
            if (stream.Channel == Channel) return new AdvisoryKey(stream.Ecosystem, package.Name, package.Version);
        return null;
    }

    /// <summary>An rpm built by Red Hat (VENDOR "Red Hat, Inc."), not a gpg-pubkey pseudo-package.</summary>
    public static bool IsRedHatRpm(Package package) =>
        package.Type == PackageType.Rpm.Id && package.Name != "gpg-pubkey"
        && package.Vendor is { } vendor && vendor.StartsWith(RedHatVendorPrefix, StringComparison.Ordinal);
}
