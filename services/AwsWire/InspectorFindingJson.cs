using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Cvss;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.AwsWire;

/// <summary>
/// The one renderer of Inspector's Finding (PACKAGE_VULNERABILITY on an AWS_ECR_CONTAINER_IMAGE) for every place that shows it:
/// Inspector2's API, ECR's enhancedFindings, the REST API and the "Inspector2 Finding" event. Member names are the botocore
/// models' (docs/inspector2-api.md); absent values are omitted, as AWS omits them.
/// </summary>
public static class InspectorFindingJson
{
    private const int MaxDescription = 1024;
    private const string CvssSource = "NVD"; // CveFeed takes CVSS vectors and scores from NVD (docs/feeds.md)

    /// <param name="pushedAt">When the image was pushed, where the caller knows it (the catalog's push time).</param>
    public static JsonObject Render(FindingDetail detail, AwsAccount account, InspectorFindingForm form, DateTimeOffset? pushedAt = null)
    {
        var finding = detail.Finding;
        var ecr = form == InspectorFindingForm.EcrApi;
        var json = new JsonObject
        {
            ["awsAccountId"] = account.AccountId,
            ["findingArn"] = detail.FindingArn,
            ["type"] = "PACKAGE_VULNERABILITY",
            ["title"] = Title(finding),
            ["description"] = Truncate(Description(finding), MaxDescription),
            ["remediation"] = new JsonObject { ["recommendation"] = new JsonObject { ["text"] = Recommendation(finding) } },
            ["severity"] = Severity(finding.Severity),
            ["status"] = detail.Status.ToString(),
            ["fixAvailable"] = detail.FixAvailable.ToString(),
            ["exploitAvailable"] = "NO",
            ["firstObservedAt"] = InspectorTimestamps.Render(detail.FirstObservedAt, form),
            ["lastObservedAt"] = InspectorTimestamps.Render(detail.LastObservedAt, form),
            ["updatedAt"] = InspectorTimestamps.Render(detail.UpdatedAt, form),
            [ecr ? "score" : "inspectorScore"] = finding.CvssScore,
            [ecr ? "scoreDetails" : "inspectorScoreDetails"] = ScoreDetails(finding, ecr),
            ["packageVulnerabilityDetails"] = PackageVulnerabilityDetails(finding),
            ["resources"] = new JsonArray(Resource(detail, account, form, pushedAt)),
        };
        return Compact(json);
    }

    /// <summary>The vendor feed a finding's advisory came from, in Inspector's naming ("Debian:12" → DEBIAN_CVE, no ecosystem → NVD).</summary>
    public static string Source(PackageRecord package) =>
        package.Ecosystem is { Length: > 0 } ecosystem
            ? ecosystem.Split(':')[0].ToUpperInvariant().Replace(' ', '_').Replace('.', '_') + "_CVE"
            : CvssSource;

    /// <summary>Inspector's packageManager: the scanner's, or for records stored before it carried one, the package type's.</summary>
    public static string PackageManager(PackageRecord package) => package.PackageManager ?? PackageType.InspectorPackageManagerOf(package.Type);

    /// <summary>Inspector has no UNDEFINED: a vulnerability nobody scored is UNTRIAGED there.</summary>
    public static string Severity(FindingSeverity severity) =>
        (severity == FindingSeverity.UNDEFINED ? FindingSeverity.UNTRIAGED : severity).ToString();

    /// <summary>"CVE-2024-6119 - libssl3t64, openssl": the binary package, then its source package when it differs.</summary>
    public static string Title(VulnerabilityFinding finding)
    {
        var names = new List<string> { finding.Package.Name };
        if (finding.Package.SourceName is { Length: > 0 } source && source != finding.Package.Name) names.Add(source);
        return $"{finding.VulnerabilityId} - {string.Join(", ", names)}";
    }

    private static string Description(VulnerabilityFinding finding) =>
        !string.IsNullOrEmpty(finding.Description) ? finding.Description
            : !string.IsNullOrEmpty(finding.Title) ? finding.Title : finding.VulnerabilityId;

    private static string Recommendation(VulnerabilityFinding finding) =>
        string.IsNullOrEmpty(finding.FixedInVersion) ? "None Provided" : $"Upgrade {finding.Package.Name} to {finding.FixedInVersion} or later.";

    private static JsonObject? ScoreDetails(VulnerabilityFinding finding, bool ecr)
    {
        if (finding.CvssScore is not { } score || finding.CvssVector is not { } vector) return null;
        var cvss = new JsonObject
        {
            ["scoreSource"] = CvssSource,
            ["score"] = score,
            ["scoringVector"] = vector,
            ["version"] = CvssVersion(finding),
            ["adjustments"] = new JsonArray(),
        };
        if (!ecr) cvss["cvssSource"] = CvssSource;
        return new JsonObject { [ecr ? "cvss" : "adjustedCvss"] = Compact(cvss) };
    }

    private static JsonObject PackageVulnerabilityDetails(VulnerabilityFinding finding)
    {
        var package = finding.Package;
        var cvss = new JsonArray();
        if (finding.CvssScore is { } score && finding.CvssVector is { } vector)
            cvss.Add(Compact(new JsonObject { ["baseScore"] = score, ["scoringVector"] = vector, ["version"] = CvssVersion(finding), ["source"] = CvssSource }));
        return Compact(new JsonObject
        {
            ["vulnerabilityId"] = finding.VulnerabilityId,
            ["source"] = Source(package),
            ["sourceUrl"] = finding.SourceUrl,
            ["vendorSeverity"] = finding.VendorSeverity ?? finding.Severity.ToString(),
            ["cvss"] = cvss,
            ["relatedVulnerabilities"] = new JsonArray(finding.Aliases.Select(a => (JsonNode?)a).ToArray()),
            ["referenceUrls"] = new JsonArray(finding.SourceUrl is null ? [] : [(JsonNode?)finding.SourceUrl]),
            ["vulnerablePackages"] = new JsonArray(Compact(new JsonObject
            {
                ["name"] = package.Name,
                ["version"] = package.Version,
                ["arch"] = package.Architecture,
                ["packageManager"] = PackageManager(package),
                ["filePath"] = package.FilePath,
                ["sourceLayerHash"] = package.LayerDigest,
                ["fixedInVersion"] = string.IsNullOrEmpty(finding.FixedInVersion) ? "NotAvailable" : finding.FixedInVersion,
            })),
        });
    }

    private static JsonObject Resource(FindingDetail detail, AwsAccount account, InspectorFindingForm form, DateTimeOffset? pushedAt)
    {
        var image = detail.Image;
        var resource = new JsonObject
        {
            ["type"] = "AWS_ECR_CONTAINER_IMAGE",
            ["id"] = account.ImageArn(image.Registry, image.Repository, image.Digest),
            ["details"] = new JsonObject
            {
                ["awsEcrContainerImage"] = Compact(new JsonObject
                {
                    ["repositoryName"] = image.Repository,
                    ["imageHash"] = image.Digest,
                    ["imageTags"] = new JsonArray(image.Tags.Select(t => (JsonNode?)t).ToArray()),
                    ["registry"] = account.RegistryIdOf(image.Registry),
                    ["pushedAt"] = InspectorTimestamps.Render(pushedAt, form),
                }),
            },
        };
        // ECR's Resource has no partition or region; Inspector's does.
        if (form != InspectorFindingForm.EcrApi)
        {
            resource["partition"] = AwsAccount.Partition;
            resource["region"] = account.Region;
        }
        return resource;
    }

    /// <summary>The advisory's CVSS version, or for findings stored before it was carried, the vector's.</summary>
    private static string? CvssVersion(VulnerabilityFinding finding) => finding.CvssVersion ?? CvssVersions.Of(finding.CvssVector);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    /// <summary>Drops null members, as AWS omits absent ones.</summary>
    private static JsonObject Compact(JsonObject node)
    {
        foreach (var key in node.Where(p => p.Value is null).Select(p => p.Key).ToList()) node.Remove(key);
        return node;
    }
}
