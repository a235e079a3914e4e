using System.Text.Json;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// A Red Hat CSAF VEX document (category <c>csaf_vex</c>, one CVE across every Red Hat product, as published at
/// security.access.redhat.com/data/csaf/v2/vex/YEAR/cve-YEAR-NNNN.json; what Clair reads since 2025) converted to one
/// OSV record, id "REDHAT-" + the CVE (upstream the CVE), with the product statuses as affected entries:
/// <list type="bullet">
///   <item><c>fixed</c> "PLATFORM:NAME-E:V-R.ARCH": introduced 0, fixed at E:V-R, in the platform CPE's ecosystem (as
///   <see cref="RedHatCsafSource"/>); one entry per distinct (ecosystem, name, fix), since one stream can have been fixed
///   on several branches (the 9.2 EUS build and the 9.3 one both ship under "Red Hat:enterprise_linux:9::baseos") and
///   any entry that finds the installed version below its fix makes it affected;</item>
///   <item><c>known_affected</c> "PLATFORM:NAME" (no version; e.g. "red_hat_enterprise_linux_8:curl" with CPE
///   "cpe:/o:redhat:enterprise_linux:8"): introduced 0 and no fix, in the release-wide ecosystem
///   "Red Hat:enterprise_linux:8", which the Red Hat ecosystem keys for every Red Hat rpm of that release;</item>
///   <item><c>known_not_affected</c> and <c>under_investigation</c>: no entry (nothing to report).</item>
/// </list>
/// Severity: the highest CVSS v3 vector, and the first impact threat ("Important") as database_specific.severity.
/// The document's references become the record's (self ones ADVISORY), the errata of its vendor fixes ADVISORY too.
/// A document without a CVE, or not CSAF VEX, gives no record and one skip; unresolvable product ids are skipped
/// with their reason. A CVE none of whose products is an rpm still gives a record (no affected entries), so a stored
/// one that said otherwise is corrected.
/// </summary>
public sealed class RedHatVexSource : INativeAdvisorySource
{
    public const string SourceName = "redhat-vex";
    public const string IdPrefix = "REDHAT-";

    public string Name => SourceName;

    public async Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        using var buffer = new MemoryStream();
        await feed.CopyToAsync(buffer, ct);
        var skipped = new List<ImportFailure>();
        using var document = CsafDocument.Open(buffer.ToArray(), "csaf_vex", skipped);
        if (document is null) return new NativeFeedResult(SourceName, [], skipped);
        var advisories = CsafDocument.Objects(document.Root, "vulnerabilities")
            .Select(v => Convert(document, v, skipped)).OfType<OsvAdvisory>()
            .Select(NativeFeed.Materialize).ToList();
        if (advisories.Count == 0 && skipped.Count == 0) skipped.Add(new ImportFailure("(document)", "no vulnerability with a CVE"));
        return new NativeFeedResult(SourceName, advisories, skipped);
    }

    private static OsvAdvisory? Convert(CsafDocument csaf, JsonElement vulnerability, List<ImportFailure> skipped)
    {
        if (CsafProducts.Text(vulnerability, "cve") is not { } cve)
        {
            skipped.Add(new ImportFailure("(vulnerability)", "no CVE id"));
            return null;
        }

        var affected = new List<OsvAffected>();
        var seen = new HashSet<(string, string, string?)>();
        foreach (var productId in CsafDocument.StatusIds(vulnerability, "fixed"))
        {
            if (csaf.Products.Resolve(productId, out var reason) is not { } rpm)
            {
                skipped.Add(new ImportFailure($"{cve}: {productId}", reason!));
                continue;
            }
            if (seen.Add((rpm.Ecosystem, rpm.Name, rpm.Version)))
                affected.Add(Entry(rpm.Ecosystem, rpm.Name, rpm.Purl, [OsvEvent.Introduced("0"), OsvEvent.Fixed(rpm.Version)]));
        }
        foreach (var productId in CsafDocument.StatusIds(vulnerability, "known_affected"))
        {
            if (csaf.Products.ResolveUnversioned(productId, out var reason) is not { } rpm)
            {
                skipped.Add(new ImportFailure($"{cve}: {productId}", reason!));
                continue;
            }
            if (seen.Add((rpm.Ecosystem, rpm.Name, null)))
                affected.Add(Entry(rpm.Ecosystem, rpm.Name, rpm.Purl, [OsvEvent.Introduced("0")]));
        }

        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in CsafDocument.Objects(csaf.Document, "references").Concat(CsafDocument.Objects(vulnerability, "references")))
            if (CsafProducts.Text(reference, "url") is { } url)
                references.TryAdd(url, CsafProducts.Text(reference, "category") == "self" ? "ADVISORY" : "WEB");
        foreach (var remediation in CsafDocument.Objects(vulnerability, "remediations"))
            if (CsafProducts.Text(remediation, "category") == "vendor_fix" && CsafProducts.Text(remediation, "url") is { } errata)
                references.TryAdd(errata, "ADVISORY");

        var scores = CsafDocument.Cvss3Scores(vulnerability).ToList();
        var impact = CsafDocument.Objects(vulnerability, "threats")
            .Where(t => CsafProducts.Text(t, "category") == "impact").Select(t => CsafProducts.Text(t, "details")).OfType<string>().FirstOrDefault();
        var tracking = csaf.Document.TryGetProperty("tracking", out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
        var summary = CsafDocument.Objects(vulnerability, "notes").Where(n => CsafProducts.Text(n, "category") == "summary")
            .Select(n => CsafProducts.Text(n, "text")).OfType<string>().FirstOrDefault() ?? CsafProducts.Text(csaf.Document, "title");
        var details = CsafDocument.Objects(vulnerability, "notes").Where(n => CsafProducts.Text(n, "category") == "description")
            .Select(n => CsafProducts.Text(n, "text")).OfType<string>().FirstOrDefault();
        return new OsvAdvisory
        {
            Id = IdPrefix + cve,
            Published = CsafDocument.Date(tracking, "initial_release_date"),
            Modified = CsafDocument.Date(tracking, "current_release_date"),
            Summary = summary,
            Details = details,
            Upstream = [cve],
            Severity = scores.Count == 0 ? [] : [new OsvSeverity("CVSS_V3", scores.MaxBy(s => s.Score).Vector)],
            Affected = affected,
            References = references.Select(r => new OsvReference(r.Value, r.Key)).ToList(),
            DatabaseSpecific = impact is null ? null : NativeFeed.StringObject([new("severity", impact)]),
        };
    }

    private static OsvAffected Entry(string ecosystem, string name, string purl, IReadOnlyList<OsvEvent> events) => new()
    {
        Package = new OsvPackage(ecosystem, name, purl),
        Ranges = [new OsvRange(OsvRangeTypes.Ecosystem, null, events)],
    };
}
