using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Findings.IntegrationEvents;

/// <summary>
/// §3.5 "Inspector2 Finding": the detail is Inspector's camelCase Finding, with its display-string timestamps,
/// emitted on every change of a finding (created, updated, closed) under the finding's stable ARN.
/// </summary>
public static class InspectorFindingEnvelope
{
    public const string DetailType = "Inspector2 Finding";

    public static JsonObject Render(FindingChanged change, EventBridgeOptions options)
    {
        var finding = change.Finding;
        var package = finding.Package;
        var imageArn = ImageArn(change.Image, options);
        var vulnerablePackage = new JsonObject
        {
            ["arch"] = package.Architecture,
            ["filePath"] = package.FilePath,
            ["fixedInVersion"] = finding.FixedInVersion ?? "NotAvailable",
            ["name"] = package.Name,
            ["packageManager"] = PackageType.InspectorPackageManagerOf(package.Type),
            ["sourceLayerHash"] = package.LayerDigest,
            ["version"] = package.Version,
        };
        var cvss = new JsonArray();
        if (finding.CvssScore is { } score && finding.CvssVector is { } vector)
            cvss.Add(new JsonObject { ["baseScore"] = score, ["scoringVector"] = vector, ["source"] = "NVD", ["version"] = CvssVersion(vector) });

        var detail = new JsonObject
        {
            ["awsAccountId"] = options.Account,
            ["description"] = Truncate(finding.Description ?? finding.Title ?? finding.VulnerabilityId, 1024),
            ["exploitAvailable"] = "NO",
            ["findingArn"] = change.FindingArn,
            ["firstObservedAt"] = DisplayTime(change.FirstObservedAt),
            ["fixAvailable"] = change.FixAvailable.ToString(),
            ["lastObservedAt"] = DisplayTime(change.LastObservedAt),
            ["packageVulnerabilityDetails"] = new JsonObject
            {
                ["cvss"] = cvss,
                ["referenceUrls"] = new JsonArray(finding.SourceUrl is null ? [] : [(JsonNode?)finding.SourceUrl]),
                ["relatedVulnerabilities"] = new JsonArray(finding.Aliases.Select(a => (JsonNode?)a).ToArray()),
                ["source"] = Source(package),
                ["sourceUrl"] = finding.SourceUrl,
                ["vendorSeverity"] = finding.Severity.ToString(),
                ["vulnerabilityId"] = finding.VulnerabilityId,
                ["vulnerablePackages"] = new JsonArray(vulnerablePackage),
            },
            ["remediation"] = new JsonObject
            {
                ["recommendation"] = new JsonObject
                {
                    ["text"] = finding.FixedInVersion is null ? "None Provided" : $"Upgrade {package.Name} to {finding.FixedInVersion} or later.",
                },
            },
            ["resources"] = new JsonArray(new JsonObject
            {
                ["details"] = new JsonObject
                {
                    ["awsEcrContainerImage"] = new JsonObject
                    {
                        ["architecture"] = package.Architecture,
                        ["imageHash"] = change.Image.Digest,
                        ["imageTags"] = new JsonArray(change.Image.Tags.Select(t => (JsonNode?)t).ToArray()),
                        ["registry"] = options.Account,
                        ["repositoryName"] = change.Image.Repository,
                    },
                },
                ["id"] = imageArn,
                ["partition"] = "aws",
                ["region"] = options.Region,
                ["type"] = "AWS_ECR_CONTAINER_IMAGE",
            }),
            // Inspector has no UNDEFINED: a vulnerability nobody scored is UNTRIAGED there.
            ["severity"] = (finding.Severity == FindingSeverity.UNDEFINED ? FindingSeverity.UNTRIAGED : finding.Severity).ToString(),
            ["status"] = change.Status.ToString(),
            ["title"] = Title(finding),
            ["type"] = "PACKAGE_VULNERABILITY",
            ["updatedAt"] = DisplayTime(change.UpdatedAt),
        };
        return EventBridgeEnvelopes.Envelope(EventId(change), change.UpdatedAt, options, DetailType, "aws.inspector2", imageArn, detail);
    }

    /// <summary>arn:aws:ecr:region:account:repository/repo/sha256:... (the EventBridge example's image resource id).</summary>
    public static string ImageArn(ImageRef image, EventBridgeOptions options) =>
        EventBridgeEnvelopes.RepositoryArn(image.Repository, options) + "/" + image.Digest;

    /// <summary>The same change redelivered gets the same id; a new change of the same finding gets a new one.</summary>
    public static string EventId(FindingChanged change)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{change.FindingArn}|{change.Change}|{change.Status}|{change.UpdatedAt.ToUnixTimeMilliseconds()}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    /// <summary>Inspector's current display form, e.g. "Wed Sep 04 16:55:38.411 UTC 2024".</summary>
    public static string DisplayTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd MMM dd HH:mm:ss.fff 'UTC' yyyy", CultureInfo.InvariantCulture);

    /// <summary>"CVE-2024-6119 - libssl3t64, openssl": the binary package, then its source package when it differs.</summary>
    private static string Title(VulnerabilityFinding finding)
    {
        var names = new List<string> { finding.Package.Name };
        if (finding.Package.SourceName is { } source && source != finding.Package.Name) names.Add(source);
        return $"{finding.VulnerabilityId} - {string.Join(", ", names)}";
    }

    /// <summary>Inspector's source names the vendor feed; ours is the advisory's ecosystem (e.g. "Debian:12" → DEBIAN_CVE).</summary>
    private static string Source(PackageRecord package) =>
        package.Ecosystem is { Length: > 0 } ecosystem
            ? ecosystem.Split(':')[0].ToUpperInvariant().Replace(' ', '_') + "_CVE"
            : "NVD";

    private static string CvssVersion(string vector) =>
        vector.StartsWith("CVSS:", StringComparison.Ordinal) ? vector[5..].Split('/')[0] : "2.0";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
