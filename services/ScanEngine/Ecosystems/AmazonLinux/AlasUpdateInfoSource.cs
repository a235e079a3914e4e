using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Ecosystems.Rpm;

namespace ImageScanning.ScanEngine.Ecosystems.AmazonLinux;

/// <summary>
/// An Amazon Linux yum repository's updateinfo.xml (see <see cref="UpdateInfoDocument"/>) converted to OSV records,
/// one per &lt;update&gt;: id the ALAS id ("ALAS2023-2023-001"), aliases and upstream the CVE ids of its
/// <c>type="cve"</c> references, summary the title, details the description, published/modified the issued/updated
/// dates (UTC), and one affected entry per binary package name of the pkglist under "Amazon Linux:RELEASE"
/// (RELEASE from the id's prefix, <see cref="AmazonLinuxEcosystem.ReleaseOfAdvisoryId"/>) with an ECOSYSTEM range
/// introduced 0, fixed "EPOCH:VERSION-RELEASE". A name listed for several architectures keeps the highest version
/// (they are the same build in every real file); source rpms (arch "src") are left out, since packages are keyed by
/// binary name. Amazon's severity word (critical, important, medium, low) is kept as <c>ecosystem_specific.severity</c>
/// of every entry, which <see cref="SeverityResolver"/> reads as the vendor's severity.
/// <para>
/// Skipped with a reason: updates without an id, of a type other than "security", with an id that is not an Amazon
/// Linux 1/2/2022/2023 ALAS id (Amazon Linux 2 Extras topics: the rpm database does not say which topic a package
/// came from), and packages without a name, version or release (the update keeps its other packages).
/// </para>
/// </summary>
public sealed partial class AlasUpdateInfoSource : INativeAdvisorySource
{
    public const string SourceName = "alas-updateinfo";

    public string Name => SourceName;

    /// <summary>Whether a document's head is a yum updateinfo.xml of Amazon's: an &lt;updates&gt; root and an ALAS id.</summary>
    public static bool LooksLikeUpdateInfo(string head) =>
        head.Contains("<updates", StringComparison.Ordinal) && head.Contains("<id>ALAS", StringComparison.Ordinal);

    public async Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        await using var seekable = await NativeFeed.SeekableAsync(feed, ct);
        var (updates, error) = UpdateInfoDocument.Read(seekable, ct);
        if (error is not null) return new NativeFeedResult(SourceName, [], [new ImportFailure("(feed)", error)]);

        var skipped = new List<ImportFailure>();
        var converted = new SortedDictionary<string, OsvAdvisory>(StringComparer.Ordinal);
        for (var i = 0; i < updates.Count; i++)
        {
            var label = updates[i].Id is { Length: > 0 } id ? id : $"(update {i + 1})";
            if (Convert(updates[i], label, skipped) is { } advisory)
            {
                if (!converted.TryAdd(advisory.Id, advisory)) skipped.Add(new ImportFailure(label, "the id appears twice in the file: the first is kept"));
            }
        }
        var releases = converted.Values.Select(a => a.Affected[0].Package!.Ecosystem).Distinct().Order(StringComparer.Ordinal).ToList();
        var source = releases.Count == 1 ? $"{SourceName}:{releases[0][AmazonLinuxEcosystem.OsvEcosystemPrefix.Length..]}" : SourceName;
        return new NativeFeedResult(source, converted.Values.Select(NativeFeed.Materialize).ToList(), skipped);
    }

    private static OsvAdvisory? Convert(UpdateInfoUpdate update, string label, List<ImportFailure> skipped)
    {
        if (update.Id is not { Length: > 0 } id) return Skip(skipped, label, "no <id>");
        if (update.Type is { } type && !type.Equals("security", StringComparison.OrdinalIgnoreCase))
            return Skip(skipped, label, $"type '{type}' is not a security update");
        if (AmazonLinuxEcosystem.ReleaseOfAdvisoryId(id) is not { } release)
            return Skip(skipped, label, "not an Amazon Linux 1, 2, 2022 or 2023 ALAS id (ALAS-, ALAS2-, ALAS2022-, ALAS2023- then YEAR-NUMBER); "
                + "Amazon Linux 2 Extras topics are not keyed, since the rpm database does not record a package's topic");

        var fixedByName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var package in update.Packages)
        {
            if (string.Equals(package.Arch, "src", StringComparison.Ordinal)) continue;
            if (FixedVersionOf(package) is not { } version)
            {
                skipped.Add(new ImportFailure($"{id}/{package.Name ?? "(no name)"}", "package without a usable name, epoch, version or release"));
                continue;
            }
            var name = package.Name!;
            if (!fixedByName.TryGetValue(name, out var current) || RpmVersionComparer.Instance.Compare(version, current) > 0)
                fixedByName[name] = version;
        }
        if (fixedByName.Count == 0) return Skip(skipped, id, "no binary package with a usable version in its pkglist");

        var ecosystem = AmazonLinuxEcosystem.OsvEcosystemPrefix + release;
        var cves = update.References
            .Where(r => string.Equals(r.Type, "cve", StringComparison.OrdinalIgnoreCase) && r.Id is not null && CveId().IsMatch(r.Id.Trim()))
            .Select(r => r.Id!.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var specific = update.Severity is { Length: > 0 } severity
            ? NativeFeed.StringObject([new("severity", severity)])
            : (System.Text.Json.JsonElement?)null;
        var references = new List<OsvReference> { new("ADVISORY", AdvisoryUrlOf(id, release)) };
        references.AddRange(update.References
            .Select(r => r.Href?.Trim())
            .Where(h => h is not null && Uri.TryCreate(h, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            .Distinct(StringComparer.Ordinal)
            .Select(h => new OsvReference("WEB", h!)));

        return new OsvAdvisory
        {
            Id = id,
            Aliases = cves,
            Upstream = cves,
            Summary = update.Title,
            Details = update.Description?.Trim(),
            Published = OsvParser.ParseTime(update.Issued),
            Modified = OsvParser.ParseTime(update.Updated) ?? OsvParser.ParseTime(update.Issued),
            References = references,
            Affected = fixedByName.Select(p => new OsvAffected
            {
                Package = new OsvPackage(ecosystem, p.Key, $"pkg:rpm/amazon/{p.Key}?distro=amazon-{release}"),
                Ranges = [new OsvRange(OsvRangeTypes.Ecosystem, null, [OsvEvent.Introduced("0"), OsvEvent.Fixed(p.Value)])],
                EcosystemSpecific = specific,
            }).ToList(),
        };
    }

    /// <summary>"EPOCH:VERSION-RELEASE" ("VERSION-RELEASE" without an epoch), or null when a part is missing or malformed.</summary>
    public static string? FixedVersionOf(UpdateInfoPackage package)
    {
        if (!IsPart(package.Name) || !IsPart(package.Version) || !IsPart(package.Release)) return null;
        if (package.Version!.Contains('-') || package.Version.Contains(':') || package.Release!.Contains('-') || package.Release.Contains(':')) return null;
        var epoch = package.Epoch?.Trim();
        if (string.IsNullOrEmpty(epoch)) return $"{package.Version}-{package.Release}";
        return epoch.Length <= 10 && epoch.All(char.IsAsciiDigit) ? $"{epoch}:{package.Version}-{package.Release}" : null;
    }

    /// <summary>Amazon's advisory page: alas.aws.amazon.com/AL2/ALAS2-2018-939.html, …/AL2023/…, Amazon Linux 1's at the root.</summary>
    public static string AdvisoryUrlOf(string id, string release) =>
        release == "1" ? $"https://alas.aws.amazon.com/{id}.html" : $"https://alas.aws.amazon.com/AL{release}/{id}.html";

    private static bool IsPart(string? s) => s is { Length: > 0 and <= 256 } && !s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static OsvAdvisory? Skip(List<ImportFailure> skipped, string label, string reason)
    {
        skipped.Add(new ImportFailure(label, reason));
        return null;
    }

    [GeneratedRegex(@"^CVE-\d{4}-\d{4,}$")]
    private static partial Regex CveId();
}
