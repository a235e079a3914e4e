namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>One repository stream of a RHEL release as Red Hat's OSV records name it.</summary>
/// <param name="Channel">The CPE's last part, which repositories of one kind share: "baseos", "appstream", "crb", "server".</param>
/// <param name="Ecosystem">The OSV ecosystem: "Red Hat:" + the CPE after "cpe:/o:redhat" ("Red Hat:enterprise_linux:8::baseos").</param>
public readonly record struct RedHatStream(string Channel, string Ecosystem);

/// <summary>
/// Maps Red Hat content sets (repository ids) to the OSV ecosystems of Red Hat's advisories, which are the CPEs of the
/// products the advisory's rpms were shipped in, "cpe:/o:redhat:enterprise_linux:8::baseos" becoming
/// "Red Hat:enterprise_linux:8::baseos". The rule follows the documented shape of the repository ids:
/// <list type="bullet">
///   <item>RHEL 8 and 9: <c>rhel-MAJOR-for-ARCH-STREAM[-VARIANT]-rpms</c> ("rhel-8-for-x86_64-appstream-eus-rpms"),
///   <c>codeready-builder-for-rhel-MAJOR-ARCH[-VARIANT]-rpms</c> (stream crb) and UBI's
///   <c>ubi-MAJOR[-for-ARCH]-STREAM-rpms</c>; STREAM baseos, appstream, codeready-builder (crb), highavailability,
///   resilientstorage, supplementary, rt (realtime) or nfv names the CPE's channel;</item>
///   <item>RHEL 6 and 7: <c>rhel-MAJOR-server[-VARIANT][-KIND]-rpms</c> ("rhel-7-server-rpms", "rhel-7-server-optional-rpms")
///   is the channel "server"; extras, RHSCL and other add-on repositories have products of their own and are not mapped;</item>
///   <item>VARIANT eus, aus, tus or e4s is the product rhel_eus, rhel_aus, rhel_tus or rhel_e4s at the image's
///   MAJOR.MINOR ("Red Hat:rhel_e4s:8.6::appstream"); without one the product is enterprise_linux at MAJOR;</item>
///   <item>RHEL 10 and later: Red Hat's CPEs carry the minor version and no channel, so every stream is
///   "Red Hat:enterprise_linux:MAJOR.MINOR" (EUS included; AUS/TUS/E4S as rhel_aus... at MAJOR.MINOR).</item>
/// </list>
/// "-source" and "-debug" repositories map like their binary ones, and a pulp suffix ("__8_DOT_6") is ignored. A content
/// set that does not have one of these shapes, or names another major release than the image, maps to nothing.
/// </summary>
public static class RedHatContentSets
{
    public const string EcosystemPrefix = "Red Hat:";

    private static readonly Dictionary<string, string> Channels = new(StringComparer.Ordinal)
    {
        ["baseos"] = "baseos", ["appstream"] = "appstream", ["codeready-builder"] = "crb", ["crb"] = "crb",
        ["highavailability"] = "highavailability", ["resilientstorage"] = "resilientstorage",
        ["supplementary"] = "supplementary", ["rt"] = "realtime", ["nfv"] = "nfv",
    };

    private static readonly Dictionary<string, string> VariantProducts = new(StringComparer.Ordinal)
    {
        ["eus"] = "rhel_eus", ["aus"] = "rhel_aus", ["tus"] = "rhel_tus", ["e4s"] = "rhel_e4s",
    };

    /// <summary>The streams an image without a content manifest is keyed under: its release's main repositories.</summary>
    public static IReadOnlyList<RedHatStream> DefaultStreams(string versionId)
    {
        if (Release(versionId) is not { } release) return [];
        var version = release.Major >= 10 ? release.Minor is { } minor ? $"{release.Major}.{minor}" : null : release.Major.ToString();
        return (release.Major, version) switch
        {
            (_, null) or (<= 5, _) => [],
            (<= 7, _) => [Stream("server", "enterprise_linux", version, release.Major)],
            _ => [Stream("baseos", "enterprise_linux", version, release.Major), Stream("appstream", "enterprise_linux", version, release.Major)],
        };
    }

    /// <summary>The release-wide ecosystem "Red Hat:enterprise_linux:MAJOR" (CPE "cpe:/o:redhat:enterprise_linux:MAJOR"), or null.</summary>
    public static string? ReleaseEcosystem(string versionId) =>
        Release(versionId) is { Major: >= 6 } release ? $"{EcosystemPrefix}enterprise_linux:{release.Major}" : null;

    /// <summary>
    /// The streams of a package: those its content sets map to, in their order without repeats, or the release's
    /// <see cref="DefaultStreams"/> when there are no content sets or none of them maps.
    /// </summary>
    public static IReadOnlyList<RedHatStream> StreamsOf(IReadOnlyList<string>? contentSets, string versionId)
    {
        var mapped = (contentSets ?? []).Select(c => Map(c, versionId)).OfType<RedHatStream>().Distinct().ToList();
        return mapped.Count > 0 ? mapped : DefaultStreams(versionId);
    }

    /// <summary>The stream of one content set on a release (os-release VERSION_ID "8.6"), or null when it does not map.</summary>
    public static RedHatStream? Map(string contentSet, string versionId)
    {
        if (Release(versionId) is not { } release) return null;
        var id = contentSet.Trim().ToLowerInvariant();
        var pulp = id.IndexOf("__", StringComparison.Ordinal);
        if (pulp >= 0) id = id[..pulp];
        if (!id.EndsWith("-rpms", StringComparison.Ordinal)) return null;
        var parts = id[..^"-rpms".Length].Split('-').ToList();
        if (parts.Count > 0 && parts[^1] is "source" or "debug") parts.RemoveAt(parts.Count - 1);

        string? channel, variant = null;
        int major;
        if (parts is ["rhel", var m, "for", _, .. var rest] && rest.Count > 0 && int.TryParse(m, out major))
            (channel, variant) = StreamAndVariant(rest);
        else if (parts is ["codeready", "builder", "for", "rhel", var m2, _, .. var crbRest] && int.TryParse(m2, out major) && crbRest.Count <= 1)
            (channel, variant) = ("crb", crbRest.Count == 1 ? crbRest[0] : null);
        else if (parts is ["ubi", var m3, .. var ubiRest] && int.TryParse(m3, out major) && ubiRest.Count > 0)
            (channel, variant) = StreamAndVariant(ubiRest is ["for", _, .. var afterArch] ? afterArch : ubiRest);
        else if (parts is ["rhel", var m4, "server", .. var serverRest] && int.TryParse(m4, out major) && major <= 7)
            (channel, variant) = ServerVariant(serverRest);
        else return null;

        if (channel is null || major != release.Major) return null;
        if (variant is not null && !VariantProducts.ContainsKey(variant)) return null;
        if (release.Major >= 10)
        {
            var product = variant is null or "eus" ? "enterprise_linux" : VariantProducts[variant];
            return release.Minor is { } minor ? new RedHatStream(channel, $"{EcosystemPrefix}{product}:{release.Major}.{minor}") : null;
        }
        if (variant is null) return Stream(channel, "enterprise_linux", release.Major.ToString(), release.Major);
        return release.Minor is { } m5 ? Stream(channel, VariantProducts[variant], $"{release.Major}.{m5}", release.Major) : null;
    }

    /// <summary>"appstream", "appstream-eus", "codeready-builder": the channel and the variant, if any.</summary>
    private static (string? Channel, string? Variant) StreamAndVariant(List<string> rest)
    {
        for (var take = Math.Min(2, rest.Count); take >= 1; take--)
        {
            if (!Channels.TryGetValue(string.Join('-', rest.Take(take)), out var channel)) continue;
            var after = rest.Skip(take).ToList();
            if (after.Count == 0) return (channel, null);
            if (after.Count == 1) return (channel, after[0]);
        }
        return (null, null);
    }

    /// <summary>RHEL 6/7 "server", "server-eus", "server-optional", "server-eus-optional"; add-on repositories do not map.</summary>
    private static (string? Channel, string? Variant) ServerVariant(List<string> rest)
    {
        var variant = rest.Count > 0 && VariantProducts.ContainsKey(rest[0]) ? rest[0] : null;
        var kinds = rest.Skip(variant is null ? 0 : 1).ToList();
        return kinds is [] or ["optional"] or ["supplementary"] ? ("server", variant) : (null, null);
    }

    private static RedHatStream Stream(string channel, string product, string version, int major) =>
        major >= 10
            ? new RedHatStream(channel, $"{EcosystemPrefix}{product}:{version}")
            : new RedHatStream(channel, $"{EcosystemPrefix}{product}:{version}::{channel}");

    /// <summary>"8.6" gives (8, 6), "9" gives (9, null); anything else null.</summary>
    private static (int Major, int? Minor)? Release(string versionId)
    {
        var parts = versionId.Trim().Split('.');
        if (parts[0].Length is 0 or > 3 || !parts[0].All(char.IsAsciiDigit)) return null;
        var major = int.Parse(parts[0]);
        int? minor = parts.Length > 1 && parts[1].Length is > 0 and <= 3 && parts[1].All(char.IsAsciiDigit) ? int.Parse(parts[1]) : null;
        return (major, minor);
    }
}
