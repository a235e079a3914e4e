using System.Text.Json;
using System.Text.RegularExpressions;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.RedHat;

/// <summary>
/// A Red Hat CSAF 2.0 security advisory (document category <c>csaf_security_advisory</c>, one RHSA/RHBA/RHEA, as
/// published at security.access.redhat.com/data/csaf/v2/advisories/YEAR/rhsa-YEAR_NNNN.json) converted to the OSV
/// record Red Hat's own converter publishes for it (security.access.redhat.com/data/osv):
/// <list type="bullet">
///   <item>id: the errata id of the document's "self" reference ("RHSA-2024:4546"), else <c>tracking.id</c>;
///   summary the title; published/modified the tracking's initial and current release dates;</item>
///   <item>upstream: each vulnerability's CVE; related: the GO-… ids of pkg.go.dev references;</item>
///   <item>affected: one entry per (platform CPE, rpm name) among every vulnerability's <c>product_status.fixed</c>
///   ids, ECOSYSTEM range introduced 0, fixed at the rpm's "epoch:version-release" without its architecture
///   (<see cref="CsafProducts.Resolve"/>; a module's rpm keeps its plain name); source rpms count, as in Red Hat's
///   records; non-rpm components (containers) are left out;</item>
///   <item>severity: the highest CVSS v3 vector; the aggregate severity ("Important") as database_specific.severity,
///   which the severity resolver reads as Red Hat's word;</item>
///   <item>references: the document's (self ones ADVISORY), then each vulnerability's (self ones REPORT), typed as
///   Red Hat's converter types them.</item>
/// </list>
/// A document that is not CSAF JSON gives no advisory and one skip; a fixed product id that cannot be resolved is
/// skipped with its reason, the rest of the document still converted.
/// </summary>
public sealed partial class RedHatCsafSource : INativeAdvisorySource
{
    public const string SourceName = "redhat-csaf";
    private const string ErrataUrl = "https://access.redhat.com/errata/";
    private const string GoVulnUrl = "https://pkg.go.dev/vuln/";

    private static readonly string[] AdvisoryUrlPrefixes =
        [GoVulnUrl, "https://www.cve.org/CVERecord", "https://nvd.nist.gov/vuln/detail/", "https://www.kb.cert.org/vuls/id/", "https://github.com/advisories/"];

    public string Name => SourceName;

    /// <summary>
    /// Whether a document's head is a Red Hat CSAF 2.0 document of a category ("csaf_security_advisory", "csaf_vex"): CSAF's
    /// <c>document.category</c> and <c>csaf_version</c>, and Red Hat named in it (its publisher or its licence note).
    /// </summary>
    public static bool LooksLikeCsaf(string head, string category) =>
        head.Contains("\"csaf_version\"", StringComparison.Ordinal)
        && CsafCategory().Match(head) is { Success: true } match && match.Groups[1].Value == category
        && head.Contains("Red Hat", StringComparison.Ordinal);

    [GeneratedRegex("\"category\"\\s*:\\s*\"(csaf_[a-z_]+)\"")]
    private static partial Regex CsafCategory();

    public async Task<NativeFeedResult> ReadAsync(Stream feed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        using var buffer = new MemoryStream();
        await feed.CopyToAsync(buffer, ct);
        var skipped = new List<ImportFailure>();
        using var document = CsafDocument.Open(buffer.ToArray(), "csaf_security_advisory", skipped);
        if (document is null) return new NativeFeedResult(SourceName, [], skipped);
        var advisory = Convert(document, skipped);
        return new NativeFeedResult(SourceName, advisory is null ? [] : [NativeFeed.Materialize(advisory)], skipped);
    }

    private static OsvAdvisory? Convert(CsafDocument csaf, List<ImportFailure> skipped)
    {
        var doc = csaf.Document;
        var id = IdOf(doc);
        if (id is null)
        {
            skipped.Add(new ImportFailure("(document)", "no errata id: neither a 'self' errata reference nor tracking.id"));
            return null;
        }

        var upstream = new List<string>();
        var related = new List<string>();
        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in CsafDocument.Objects(doc, "references"))
            AddReference(references, related, reference, selfType: "ADVISORY");

        // (ecosystem, name) → (fixed version, purl), in first-seen order, as Red Hat's converter keeps them.
        var fixes = new Dictionary<(string, string), (string Fixed, string Purl)>();
        var order = new List<(string Ecosystem, string Name)>();
        var scores = new List<(double Score, string Vector)>();
        foreach (var vulnerability in CsafDocument.Objects(csaf.Root, "vulnerabilities"))
        {
            if (CsafProducts.Text(vulnerability, "cve") is { } cve) upstream.Add(cve);
            scores.AddRange(CsafDocument.Cvss3Scores(vulnerability));
            foreach (var productId in CsafDocument.StatusIds(vulnerability, "fixed"))
            {
                if (csaf.Products.Resolve(productId, out var reason) is not { } rpm)
                {
                    skipped.Add(new ImportFailure($"{id}: {productId}", reason!));
                    continue;
                }
                var key = (rpm.Ecosystem, rpm.Name);
                if (!fixes.ContainsKey(key)) order.Add(key);
                fixes[key] = (rpm.Version, rpm.Purl);
            }
            foreach (var reference in CsafDocument.Objects(vulnerability, "references"))
                AddReference(references, related, reference, selfType: "REPORT");
        }

        var aggregate = doc.TryGetProperty("aggregate_severity", out var a) && a.ValueKind == JsonValueKind.Object ? CsafProducts.Text(a, "text") : null;
        var tracking = doc.TryGetProperty("tracking", out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
        return new OsvAdvisory
        {
            Id = id,
            SchemaVersion = "1.7.0",
            Published = CsafDocument.Date(tracking, "initial_release_date"),
            Modified = CsafDocument.Date(tracking, "current_release_date"),
            Summary = CsafProducts.Text(doc, "title"),
            Upstream = upstream.Distinct(StringComparer.Ordinal).ToList(),
            Related = related.Distinct(StringComparer.Ordinal).ToList(),
            Severity = scores.Count == 0 ? [] : [new OsvSeverity("CVSS_V3", scores.MaxBy(s => s.Score).Vector)],
            Affected = order.Select(key => new OsvAffected
            {
                Package = new OsvPackage(key.Ecosystem, key.Name, fixes[key].Purl),
                Ranges = [new OsvRange(OsvRangeTypes.Ecosystem, null, [OsvEvent.Introduced("0"), OsvEvent.Fixed(fixes[key].Fixed)])],
            }).ToList(),
            References = references.Select(r => new OsvReference(r.Value, r.Key)).ToList(),
            DatabaseSpecific = aggregate is null ? null : NativeFeed.StringObject([new("severity", aggregate)]),
        };
    }

    /// <summary>"RHSA-2024:4546" from the self reference "https://access.redhat.com/errata/RHSA-2024:4546", else tracking.id.</summary>
    private static string? IdOf(JsonElement doc)
    {
        foreach (var reference in CsafDocument.Objects(doc, "references"))
            if (CsafProducts.Text(reference, "category") == "self" && CsafProducts.Text(reference, "summary") is { } summary
                && summary.StartsWith(ErrataUrl, StringComparison.Ordinal) && summary.Length > ErrataUrl.Length)
                return summary[ErrataUrl.Length..];
        return doc.TryGetProperty("tracking", out var tracking) && tracking.ValueKind == JsonValueKind.Object ? CsafProducts.Text(tracking, "id") : null;
    }

    /// <summary>Types a reference as Red Hat's converter does, and records pkg.go.dev ids as related.</summary>
    private static void AddReference(Dictionary<string, string> references, List<string> related, JsonElement reference, string selfType)
    {
        if (CsafProducts.Text(reference, "url") is not { } url) return;
        if (CsafProducts.Text(reference, "category") == "self")
        {
            references[url] = selfType;
            return;
        }
        if (AdvisoryUrlPrefixes.Any(p => url.StartsWith(p, StringComparison.Ordinal)))
        {
            if (url.StartsWith(GoVulnUrl, StringComparison.Ordinal)) related.Add(url[GoVulnUrl.Length..]);
            references[url] = "ADVISORY";
        }
        else references[url] = url.StartsWith("https://bugzilla.redhat.com/show_bug.cgi", StringComparison.Ordinal) ? "REPORT" : "ARTICLE";
    }
}
