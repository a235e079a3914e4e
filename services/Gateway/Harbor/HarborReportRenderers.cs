using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Harbor;

/// <summary>What a vulnerability report is rendered from: the request it answers, the stored result, the time it is made.</summary>
public sealed record HarborReportInput(HarborScanRequestId Request, ImageFindingsResult Findings, DateTimeOffset GeneratedAt);

/// <summary>One wire format of the vulnerability report: the media type Harbor names in Accept, and its JSON.</summary>
public interface IHarborReportRenderer
{
    string MediaType { get; }

    JsonObject Render(HarborReportInput input);
}

/// <summary>
/// <c>application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0</c>: HarborVulnerabilityReport of spec v1.0, whose
/// VulnerabilityItem is id, package, version, fix_version, severity, description and links.
/// </summary>
public class HarborVulnerabilityReportRenderer : IHarborReportRenderer
{
    public virtual string MediaType => HarborMediaTypes.HarborReportV10;

    public JsonObject Render(HarborReportInput input)
    {
        var findings = (input.Findings.Findings ?? [])
            .OrderByDescending(f => HarborSeverity.Rank(f.Severity)).ThenBy(f => f.VulnerabilityId, StringComparer.Ordinal)
            .ThenBy(f => f.Package.Name, StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["generated_at"] = input.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["artifact"] = HarborJson.Artifact(input.Request),
            ["scanner"] = HarborScanner.Json(),
            ["severity"] = HarborSeverity.Highest(findings.Select(f => f.Severity)),
            ["vulnerabilities"] = new JsonArray(findings.Select(f => (JsonNode)Item(f)).ToArray()),
        };
    }

    protected virtual JsonObject Item(VulnerabilityFinding finding)
    {
        var item = new JsonObject
        {
            ["id"] = finding.VulnerabilityId,
            ["package"] = finding.Package.Name,
            ["version"] = finding.Package.Version,
            ["fix_version"] = finding.FixedInVersion,
            ["severity"] = HarborSeverity.Of(finding.Severity),
            ["description"] = finding.Description ?? finding.Title,
            ["links"] = new JsonArray(Links(finding).Select(l => (JsonNode)JsonValue.Create(l)).ToArray()),
        };
        return HarborJson.Compact(item);
    }

    /// <summary>The advisory's own URL when it is an absolute http(s) URI; nothing is made up from the id.</summary>
    private static IEnumerable<string> Links(VulnerabilityFinding finding) =>
        Uri.TryCreate(finding.SourceUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? [uri.AbsoluteUri] : [];
}

/// <summary>
/// <c>application/vnd.security.vulnerability.report; version=1.1</c>: the v1.0 items plus preferred_cvss (the advisory's CVSS
/// vector and score, as v3 or v2 by the vector's prefix), cwe_ids (the platform's advisories carry none: always empty) and
/// vendor_attributes (the advisory's aliases and where the package was found).
/// </summary>
public sealed class SecurityVulnerabilityReportRenderer : HarborVulnerabilityReportRenderer
{
    public override string MediaType => HarborMediaTypes.SecurityReportV11;

    protected override JsonObject Item(VulnerabilityFinding finding)
    {
        var item = base.Item(finding);
        if (Cvss(finding) is { } cvss) item["preferred_cvss"] = cvss;
        item["cwe_ids"] = new JsonArray();
        item["vendor_attributes"] = HarborJson.Compact(new JsonObject
        {
            ["aliases"] = new JsonArray(finding.Aliases.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
            ["package_type"] = finding.Package.Type,
            ["source_package"] = finding.Package.SourceName,
            ["source_version"] = finding.Package.SourceVersion,
            ["file_path"] = finding.Package.FilePath.Length > 0 ? finding.Package.FilePath : null,
            ["layer_digest"] = finding.Package.LayerDigest.Length > 0 ? finding.Package.LayerDigest : null,
        });
        return item;
    }

    private static JsonObject? Cvss(VulnerabilityFinding finding)
    {
        if (finding.CvssVector is null && finding.CvssScore is null) return null;
        var v3 = finding.CvssVector?.StartsWith("CVSS:3", StringComparison.Ordinal) ?? finding.CvssScore is not null;
        var suffix = v3 ? "v3" : "v2";
        return HarborJson.Compact(new JsonObject
        {
            ["score_" + suffix] = finding.CvssScore,
            ["vector_" + suffix] = finding.CvssVector,
        });
    }
}

/// <summary>The spec's Severity scale from the platform's (ECR's) severities.</summary>
public static class HarborSeverity
{
    private static readonly string[] Scale = ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"];

    public static string Of(FindingSeverity severity) => Scale[Rank(severity)];

    /// <summary>INFORMATIONAL is Negligible; UNDEFINED (no rating) and UNTRIAGED (not rated yet) are Unknown.</summary>
    public static int Rank(FindingSeverity severity) => severity switch
    {
        FindingSeverity.CRITICAL => 5,
        FindingSeverity.HIGH => 4,
        FindingSeverity.MEDIUM => 3,
        FindingSeverity.LOW => 2,
        FindingSeverity.INFORMATIONAL => 1,
        _ => 0,
    };

    /// <summary>The report's severity: its most severe vulnerability's, Unknown when it has none (the scale's lowest).</summary>
    public static string Highest(IEnumerable<FindingSeverity> severities) => Scale[severities.Select(Rank).DefaultIfEmpty(0).Max()];
}

public static class HarborJson
{
    public static JsonObject Artifact(HarborScanRequestId request) => Compact(new JsonObject
    {
        ["repository"] = request.Repository,
        ["digest"] = request.Digest,
        ["tag"] = request.Tag,
        ["mime_type"] = request.MimeType,
    });

    /// <summary>Drops null members: the spec's fields are plain strings and numbers, never null.</summary>
    public static JsonObject Compact(JsonObject node)
    {
        foreach (var key in node.Where(p => p.Value is null).Select(p => p.Key).ToList()) node.Remove(key);
        return node;
    }

    public static JsonObject Error(string message) => new() { ["error"] = new JsonObject { ["message"] = message } };
}
