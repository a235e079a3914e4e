using System.Text.Json;
using ImageScanning.ScanEngine.Advisories.Cvss;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Advisories;

/// <summary>The severity of an advisory and where it came from.</summary>
/// <param name="Severity">The engine severity.</param>
/// <param name="Source">What decided it: the vendor ("Ubuntu", "GHSA", "OSS-Fuzz", ...), "CVSS_V3", or "NONE".</param>
/// <param name="VendorSeverity">The vendor's own word as written ("medium", "MODERATE", "negligible"), if any.</param>
/// <param name="Cvss">The CVSS v3 base score of the record, when it has a valid v3 vector (even if a vendor severity won).</param>
public sealed record ResolvedSeverity(Severity Severity, string Source, string? VendorSeverity, Cvss3Score? Cvss);

/// <summary>
/// Decides an advisory's severity as Inspector does: the vendor's severity first, else the CVSS v3
/// base score banded, else Untriaged. What the corpus holds, in the order it is consulted:
/// <list type="number">
///   <item>a non-CVSS <c>severity[]</c> entry (Ubuntu records: <c>{"type":"Ubuntu","score":"medium"}</c>,
///   priorities negligible/low/medium/high/critical/untriaged), on the affected entry then the record;</item>
///   <item><c>ecosystem_specific</c> / <c>database_specific</c> of the affected entry: <c>severity</c>
///   (OSS-Fuzz "MEDIUM"), <c>urgency</c> (Debian Security Tracker), <c>priority</c>;</item>
///   <item>the record's <c>database_specific</c>: <c>severity</c> (GHSA CRITICAL/HIGH/MODERATE/LOW), <c>urgency</c>, <c>priority</c>;</item>
///   <item>the first valid <c>CVSS_V3</c> vector (affected entry, then record), computed with <see cref="Cvss3Calculator"/>;</item>
///   <item>otherwise Untriaged (Debian DSA/DLA OSV records carry no severity at all).</item>
/// </list>
/// Vendor words that say "not scored" (untriaged, unknown, not yet assigned) fall through to CVSS.
/// CVSS_V4 and CVSS_V2 vectors are not scored here.
/// </summary>
public static class SeverityResolver
{
    private static readonly string[] VendorFields = ["severity", "urgency", "priority"];

    public static ResolvedSeverity Resolve(OsvAdvisory advisory, OsvAffected? affected = null)
    {
        ArgumentNullException.ThrowIfNull(advisory);
        var cvss = FirstCvss3(affected?.Severity ?? []) ?? FirstCvss3(advisory.Severity);

        foreach (var (source, word) in VendorCandidates(advisory, affected))
        {
            if (FromVendorWord(word) is { } severity)
                return new ResolvedSeverity(severity, source, word, cvss);
        }
        if (cvss is not null)
            return new ResolvedSeverity(SeverityBands.FromCvss3(cvss.BaseScore), "CVSS_V3", null, cvss);
        return new ResolvedSeverity(Severity.Untriaged, "NONE", null, null);
    }

    /// <summary>A vendor's severity word mapped to the engine's; null for "not scored yet" or unknown words.</summary>
    public static Severity? FromVendorWord(string? word) => word?.Trim().ToLowerInvariant() switch
    {
        "critical" => Severity.Critical,
        "high" or "important" => Severity.High,
        "medium" or "moderate" => Severity.Medium,
        "low" => Severity.Low,
        "negligible" or "unimportant" or "informational" or "info" or "none" => Severity.Informational,
        _ => null,
    };

    private static IEnumerable<(string Source, string Word)> VendorCandidates(OsvAdvisory advisory, OsvAffected? affected)
    {
        var vendor = VendorName(advisory, affected);
        foreach (var entry in (affected?.Severity ?? []).Concat(advisory.Severity))
            if (!entry.Type.StartsWith("CVSS_", StringComparison.OrdinalIgnoreCase))
                yield return (entry.Type, entry.Score);

        foreach (var element in new[] { affected?.EcosystemSpecific, affected?.DatabaseSpecific, advisory.DatabaseSpecific })
            foreach (var field in VendorFields)
                if (StringField(element, field) is { } word)
                    yield return (vendor, word);
    }

    private static string VendorName(OsvAdvisory advisory, OsvAffected? affected)
    {
        var id = advisory.Id;
        if (id.StartsWith("GHSA-", StringComparison.Ordinal)) return "GHSA";
        var ecosystem = affected?.Package?.Ecosystem ?? advisory.Affected.FirstOrDefault()?.Package?.Ecosystem;
        if (ecosystem is not null)
        {
            var colon = ecosystem.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? ecosystem[..colon] : ecosystem;
        }
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? id[..dash] : id;
    }

    private static string? StringField(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static Cvss3Score? FirstCvss3(IEnumerable<OsvSeverity> entries)
    {
        foreach (var entry in entries)
            if (string.Equals(entry.Type, "CVSS_V3", StringComparison.OrdinalIgnoreCase)
                && Cvss3Calculator.TryBaseScore(entry.Score, out var score))
                return score;
        return null;
    }
}
