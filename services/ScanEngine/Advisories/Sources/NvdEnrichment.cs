using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Osv;

namespace ImageScanning.ScanEngine.Advisories.Sources;

/// <summary>
/// Adds NVD's CVSS v3.x vector (OSV type CVSS_V3) to advisories that have no CVSS v3 of their own, looked up by
/// their CVE id or aliases, so <see cref="SeverityResolver"/> can fall back to it when the vendor gives no severity
/// (Debian DSA/DLA records, secdb-derived records). Vendor severities are untouched and still win.
/// </summary>
public sealed class NvdEnrichment
{
    private readonly Dictionary<string, NvdCvssRecord> byCve = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Later records of the same CVE replace earlier ones (feed pages are read oldest first).</summary>
    public NvdEnrichment(IEnumerable<NvdCvssRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records) byCve[record.CveId] = record;
    }

    public int Count => byCve.Count;

    public NvdCvssRecord? Find(string cveId) => byCve.GetValueOrDefault(cveId);

    /// <summary>The NVD v3.x metric to add to the advisory, or null when it has a CVSS_V3 already or NVD has none for its CVEs.</summary>
    public NvdCvss? CvssFor(OsvAdvisory advisory)
    {
        ArgumentNullException.ThrowIfNull(advisory);
        if (HasCvss3(advisory.Severity) || advisory.Affected.Any(a => HasCvss3(a.Severity))) return null;
        return advisory.CveIds.Select(id => Find(id)?.CvssV3).FirstOrDefault(m => m is not null);
    }

    /// <summary>
    /// The advisory with NVD's vector appended to its top-level <c>severity</c>, and its raw JSON patched the same way
    /// (every other field of the raw JSON kept as it was). False, with the inputs returned, when nothing is added.
    /// </summary>
    public bool TryEnrich(OsvAdvisory advisory, string rawJson, out OsvAdvisory enriched, out string enrichedJson)
    {
        ArgumentNullException.ThrowIfNull(rawJson);
        (enriched, enrichedJson) = (advisory, rawJson);
        if (CvssFor(advisory) is not { } metric) return false;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(rawJson.TrimStart('\uFEFF'));
        }
        catch (JsonException)
        {
            return false;
        }
        if (root is not JsonObject record) return false;
        if (record["severity"] is not JsonArray severity)
            record["severity"] = severity = [];
        severity.Add(new JsonObject { ["type"] = "CVSS_V3", ["score"] = metric.Vector });
        enrichedJson = record.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        enriched = OsvParser.Parse(enrichedJson);
        return true;
    }

    /// <summary>Every advisory of a converted feed, enriched where NVD has a v3.x vector for it.</summary>
    public NativeFeedResult Enrich(NativeFeedResult feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var advisories = feed.Advisories
            .Select(a => TryEnrich(a.Advisory, a.RawJson, out var advisory, out var json) ? new NativeAdvisory(advisory, json) : a)
            .ToList();
        return feed with { Advisories = advisories };
    }

    private static bool HasCvss3(IReadOnlyList<OsvSeverity> severity) =>
        severity.Any(s => string.Equals(s.Type, "CVSS_V3", StringComparison.OrdinalIgnoreCase));
}
