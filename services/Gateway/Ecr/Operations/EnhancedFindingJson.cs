using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Gateway.Ecr.Operations;

/// <summary>
/// ECR's EnhancedImageScanFinding (Inspector's shape, INTERFACES §1.1, §2.1) for one lifecycle finding Findings keeps:
/// its ARN, status and observation times are Findings', so ECR and <c>GET /api/v1/findings</c> name the same finding.
/// </summary>
public static class EnhancedFindingJson
{
    public static JsonObject From(FindingDetail detail, CatalogImage image, EcrRegistry registry, string region)
    {
        var f = detail.Finding;
        var severity = f.Severity == FindingSeverity.UNDEFINED ? nameof(FindingSeverity.UNTRIAGED) : f.Severity.ToString();
        var package = EcrJson.Compact(new JsonObject
        {
            ["name"] = f.Package.Name,
            ["version"] = f.Package.Version,
            ["arch"] = f.Package.Architecture,
            ["filePath"] = f.Package.FilePath,
            ["packageManager"] = PackageType.InspectorPackageManagerOf(f.Package.Type),
            ["sourceLayerHash"] = f.Package.LayerDigest,
            ["fixedInVersion"] = string.IsNullOrEmpty(f.FixedInVersion) ? "NotAvailable" : f.FixedInVersion,
        });
        var cvss = new JsonArray();
        if (f.CvssScore is { } score)
            cvss.Add(EcrJson.Compact(new JsonObject
            {
                ["baseScore"] = score,
                ["scoringVector"] = f.CvssVector,
                ["source"] = "NVD",
                ["version"] = CvssVersion(f.CvssVector),
            }));
        return EcrJson.Compact(new JsonObject
        {
            ["awsAccountId"] = registry.RegistryId,
            ["findingArn"] = detail.FindingArn,
            ["title"] = f.Title ?? $"{f.VulnerabilityId} - {f.Package.Name}",
            ["description"] = f.Description ?? f.Title ?? f.VulnerabilityId,
            ["type"] = "PACKAGE_VULNERABILITY",
            ["status"] = detail.Status.ToString(),
            ["severity"] = severity,
            ["score"] = f.CvssScore,
            ["fixAvailable"] = detail.FixAvailable.ToString(),
            ["exploitAvailable"] = "NO",
            ["firstObservedAt"] = EcrJson.Time(detail.FirstObservedAt),
            ["lastObservedAt"] = EcrJson.Time(detail.LastObservedAt),
            ["updatedAt"] = EcrJson.Time(detail.UpdatedAt),
            ["packageVulnerabilityDetails"] = EcrJson.Compact(new JsonObject
            {
                ["vulnerabilityId"] = f.VulnerabilityId,
                ["source"] = "OSV",
                ["sourceUrl"] = f.SourceUrl,
                ["referenceUrls"] = new JsonArray(f.SourceUrl is null ? [] : [JsonValue.Create(f.SourceUrl)]),
                ["relatedVulnerabilities"] = new JsonArray(f.Aliases.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
                ["vendorSeverity"] = f.Severity.ToString(),
                ["cvss"] = cvss,
                ["vulnerablePackages"] = new JsonArray(package),
            }),
            ["remediation"] = new JsonObject
            {
                ["recommendation"] = new JsonObject
                {
                    ["text"] = string.IsNullOrEmpty(f.FixedInVersion) ? "None Provided" : $"Upgrade {f.Package.Name} to {f.FixedInVersion} or later.",
                },
            },
            ["resources"] = new JsonArray(new JsonObject
            {
                ["id"] = $"arn:aws:ecr:{region}:{registry.RegistryId}:repository/{image.Repository}/{image.Digest}",
                ["type"] = "AWS_ECR_CONTAINER_IMAGE",
                ["details"] = new JsonObject
                {
                    ["awsEcrContainerImage"] = new JsonObject
                    {
                        ["imageHash"] = image.Digest,
                        ["imageTags"] = new JsonArray(image.Tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
                        ["pushedAt"] = EcrJson.Time(image.PushedAt),
                        ["registry"] = registry.RegistryId,
                        ["repositoryName"] = image.Repository,
                    },
                },
            }),
        });
    }

    private static string? CvssVersion(string? vector) =>
        vector is null ? null : vector.StartsWith("CVSS:3.1", StringComparison.Ordinal) ? "3.1"
            : vector.StartsWith("CVSS:3.0", StringComparison.Ordinal) ? "3.0" : vector.StartsWith("CVSS:4", StringComparison.Ordinal) ? "4.0" : "2.0";

}
