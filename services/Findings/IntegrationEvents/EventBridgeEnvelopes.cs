using ImageScanning.ServiceDefaults.Aws;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Findings.IntegrationEvents;

/// <summary>
/// Renders ScanCompleted in EventBridge's envelopes (INTERFACES §3) so rules written for ECR and
/// Inspector read it unchanged: "ECR Image Scan" for BASIC, "Inspector2 Scan" for ENHANCED. Every AWS field is kept
/// as AWS sends it; one added field, "vulnerabilities", names what was found (AWS sends only counts).
/// </summary>
public static class EventBridgeEnvelopes
{
    private static readonly FindingSeverity[] EcrSeverities =
        [FindingSeverity.INFORMATIONAL, FindingSeverity.LOW, FindingSeverity.MEDIUM, FindingSeverity.HIGH, FindingSeverity.CRITICAL, FindingSeverity.UNDEFINED];

    public static JsonObject Render(ScanCompleted scan, AwsAccount account) =>
        scan.ScanType == ScanType.ENHANCED && scan.Status != ScanStatus.FAILED
            ? InspectorScan(scan, account)
            : EcrImageScan(scan, account);

    public static string RenderJson(ScanCompleted scan, AwsAccount account) =>
        Render(scan, account).ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>§3.2: kebab-case detail; only non-zero severity counts appear.</summary>
    public static JsonObject EcrImageScan(ScanCompleted scan, AwsAccount account)
    {
        var counts = new JsonObject();
        foreach (var severity in EcrSeverities)
        {
            // ECR has no UNTRIAGED; its UNDEFINED means the same thing.
            var count = Count(scan, severity) + (severity == FindingSeverity.UNDEFINED ? Count(scan, FindingSeverity.UNTRIAGED) : 0);
            if (count > 0) counts[severity.ToString()] = count;
        }
        var detail = new JsonObject
        {
            ["scan-status"] = scan.Status == ScanStatus.COMPLETE ? "COMPLETE" : "FAILED",
            ["repository-name"] = scan.Image.Repository,
            ["finding-severity-counts"] = counts,
            ["image-digest"] = scan.Image.Digest,
            ["image-tags"] = new JsonArray(scan.Image.Tags.Select(t => (JsonNode?)t).ToArray()),
        };
        if (scan.FailureReason is not null) detail["failure-reason"] = scan.FailureReason;
        detail[VulnerabilitiesField] = Vulnerabilities(scan);
        return Envelope(scan, account, "ECR Image Scan", "aws.ecr", account.RepositoryArn(scan.Image.Registry, scan.Image.Repository), detail);
    }

    /// <summary>§3.4: sent for the initial scan; repository-name holds the repository ARN, counts carry TOTAL and no LOW.</summary>
    public static JsonObject InspectorScan(ScanCompleted scan, AwsAccount account)
    {
        var repositoryArn = account.RepositoryArn(scan.Image.Registry, scan.Image.Repository);
        var detail = new JsonObject
        {
            ["scan-status"] = "INITIAL_SCAN_COMPLETE",
            ["repository-name"] = repositoryArn,
            ["finding-severity-counts"] = new JsonObject
            {
                ["CRITICAL"] = Count(scan, FindingSeverity.CRITICAL),
                ["HIGH"] = Count(scan, FindingSeverity.HIGH),
                ["MEDIUM"] = Count(scan, FindingSeverity.MEDIUM),
                ["TOTAL"] = scan.FindingSeverityCounts.Values.Sum(),
            },
            ["image-digest"] = scan.Image.Digest,
            ["image-tags"] = new JsonArray(scan.Image.Tags.Select(t => (JsonNode?)t).ToArray()),
            ["version"] = "1.0",
            [VulnerabilitiesField] = Vulnerabilities(scan),
        };
        return Envelope(scan, account, "Inspector2 Scan", "aws.inspector2", repositoryArn, detail);
    }

    /// <summary>The field this platform adds to the scan envelopes' detail: one entry per finding, kebab-case like its neighbours.</summary>
    public const string VulnerabilitiesField = "vulnerabilities";

    private static JsonArray Vulnerabilities(ScanCompleted scan) => new((scan.Findings ?? []).Select(f => (JsonNode?)new JsonObject
    {
        ["vulnerability-id"] = f.VulnerabilityId,
        ["severity"] = f.Severity.ToString(),
        ["package-name"] = f.PackageName,
        ["package-version"] = f.PackageVersion,
        ["fixed-in-version"] = f.FixedInVersion,
    }).ToArray());

    private static int Count(ScanCompleted scan, FindingSeverity severity) =>
        scan.FindingSeverityCounts.TryGetValue(severity, out var n) ? n : 0;

    /// <summary>
    /// Deterministic per scan and outcome, so a redelivered event carries the same id and subscribers can de-duplicate: the scan id
    /// for a COMPLETE result, an id derived from scan id and status otherwise. A scan that FAILED and later completed (its message
    /// replayed from an error queue) announces both, under two ids; one id for both would make a de-duplicating subscriber drop
    /// the result.
    /// </summary>
    public static string EventId(ScanCompleted scan) => scan.Status == ScanStatus.COMPLETE
        ? scan.ScanId.ToString()
        : Consumers.EventMessageIds.ScanCompleted(scan.ScanId, scan.Status).ToString();

    private static JsonObject Envelope(ScanCompleted scan, AwsAccount account, string detailType, string source, string resource, JsonObject detail) =>
        Envelope(EventId(scan), scan.CompletedAt, account, detailType, source, resource, detail);

    internal static JsonObject Envelope(string id, DateTimeOffset time, AwsAccount account, string detailType, string source, string resource, JsonObject detail) => new()
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = detailType,
        ["source"] = source,
        ["account"] = account.AccountId,
        ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["region"] = account.Region,
        ["resources"] = new JsonArray(resource),
        ["detail"] = detail,
    };
}
