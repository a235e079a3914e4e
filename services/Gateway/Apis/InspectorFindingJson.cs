using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Gateway.Apis;

/// <summary>A stored finding in Inspector's Finding shape (INTERFACES §2.1), so Inspector tooling reads it.</summary>
public static class InspectorFindingJson
{
    public static JsonObject Render(FindingDetail f)
    {
        // arn:aws:inspector2:<region>:<account>:finding/<id>
        var arnParts = f.FindingArn.Split(':');
        var (region, account) = arnParts.Length >= 6 ? (arnParts[3], arnParts[4]) : ("", "");
        var v = f.Finding;
        var imageArn = $"arn:aws:ecr:{region}:{account}:repository/{f.Image.Repository}/{f.Image.Digest}";
        var package = new JsonObject
        {
            ["name"] = v.Package.Name,
            ["version"] = v.Package.Version,
            ["sourceLayerHash"] = v.Package.LayerDigest,
            ["filePath"] = v.Package.FilePath,
            ["fixedInVersion"] = v.FixedInVersion ?? "NotAvailable",
            ["packageManager"] = PackageType.InspectorPackageManagerOf(v.Package.Type),
            ["arch"] = v.Package.Architecture,
        };
        var details = new JsonObject
        {
            ["vulnerabilityId"] = v.VulnerabilityId,
            ["source"] = v.Package.Ecosystem ?? v.Package.Type,
            ["sourceUrl"] = v.SourceUrl,
            ["vendorSeverity"] = v.Severity.ToString(),
            ["cvss"] = v.CvssScore is { } score
                ? new JsonArray(new JsonObject { ["baseScore"] = score, ["scoringVector"] = v.CvssVector, ["version"] = CvssVersion(v.CvssVector), ["source"] = "NVD" })
                : new JsonArray(),
            ["relatedVulnerabilities"] = new JsonArray(v.Aliases.Select(a => (JsonNode?)a).ToArray()),
            ["referenceUrls"] = v.SourceUrl is null ? new JsonArray() : new JsonArray(v.SourceUrl),
            ["vulnerablePackages"] = new JsonArray(package),
        };
        return new JsonObject
        {
            ["findingArn"] = f.FindingArn,
            ["awsAccountId"] = account,
            ["type"] = "PACKAGE_VULNERABILITY",
            ["title"] = $"{v.VulnerabilityId} - {v.Package.Name}",
            ["description"] = string.IsNullOrEmpty(v.Description) ? v.Title ?? v.VulnerabilityId : v.Description,
            ["remediation"] = new JsonObject { ["recommendation"] = new JsonObject { ["text"] = v.FixedInVersion is null ? "None Provided" : $"Upgrade {v.Package.Name} to {v.FixedInVersion}." } },
            ["severity"] = v.Severity == FindingSeverity.UNDEFINED ? "UNTRIAGED" : v.Severity.ToString(),
            ["status"] = f.Status.ToString(),
            ["fixAvailable"] = f.FixAvailable.ToString(),
            ["suppressedBy"] = f.SuppressedByRuleId,
            ["firstObservedAt"] = f.FirstObservedAt,
            ["lastObservedAt"] = f.LastObservedAt,
            ["updatedAt"] = f.UpdatedAt,
            ["closedAt"] = f.ClosedAt,
            ["inspectorScore"] = v.CvssScore,
            ["packageVulnerabilityDetails"] = details,
            ["resources"] = new JsonArray(new JsonObject
            {
                ["type"] = "AWS_ECR_CONTAINER_IMAGE",
                ["id"] = imageArn,
                ["region"] = region,
                ["details"] = new JsonObject
                {
                    ["awsEcrContainerImage"] = new JsonObject
                    {
                        ["registry"] = f.Image.Registry,
                        ["repositoryName"] = f.Image.Repository,
                        ["imageHash"] = f.Image.Digest,
                        ["imageTags"] = new JsonArray(f.Image.Tags.Select(t => (JsonNode?)t).ToArray()),
                    },
                },
            }),
        };
    }

    private static string CvssVersion(string? vector) =>
        vector is not null && vector.StartsWith("CVSS:", StringComparison.Ordinal) && vector.IndexOf('/') is > 5 and var slash ? vector[5..slash] : "3.1";
}
