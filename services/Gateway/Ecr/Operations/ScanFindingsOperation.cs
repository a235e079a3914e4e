using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Ecr.Operations;

/// <summary>
/// DescribeImageScanFindings: the image's status from ScanRouter's catalog and its latest findings from Findings, paged
/// with nextToken/maxResults. A scan the catalog calls finished is reported IN_PROGRESS until Findings holds its result,
/// so COMPLETE is never seen before the findings can be read.
/// </summary>
public static class ScanFindingsOperation
{
    private const int DefaultPageSize = 100;

    public static async Task<JsonObject> DescribeImageScanFindingsAsync(EcrCall call)
    {
        var registry = call.Registry;
        var request = call.Request;
        var repository = request.RepositoryName();
        var (digest, tag) = EcrRequest.ImageIdentifier(request.Object("imageId"), "imageId");
        var maxResults = request.MaxResults(1000, DefaultPageSize);
        var nextToken = request.String("nextToken");
        var offset = 0;
        long? tokenScan = null;
        if (nextToken is not null && !TryDecodeToken(nextToken, out offset, out tokenScan))
            throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the token was not issued by this endpoint.");

        var catalog = await call.AskAsync<ListCatalogImages, CatalogImagesResult>(new(registry.Name, repository, [new ImageSelector(digest, tag)], 1, null));
        if (!catalog.RepositoryFound) throw EcrException.RepositoryNotFound(repository, registry.RegistryId);
        var image = catalog.Images.FirstOrDefault() ?? throw EcrException.ImageNotFound(repository, registry.RegistryId, digest, tag);
        var findings = await call.AskAsync<GetImageFindings, ImageFindingsResult>(new(registry.Name, image.Repository, image.Digest));
        var (status, description) = EffectiveStatus(image, findings);
        if (status is null)
            throw new EcrException("ScanNotFoundException",
                $"Image scan does not exist for the image with '{{imageDigest:'{image.Digest}', imageTag:'{tag ?? "null"}'}}' in the repository with name '{repository}' in the registry with id '{registry.RegistryId}'");

        var response = new JsonObject
        {
            ["registryId"] = registry.RegistryId,
            ["repositoryName"] = repository,
            ["imageId"] = EcrJson.ImageId(image.Digest, tag ?? image.Tags.FirstOrDefault()),
            ["imageScanStatus"] = EcrJson.ScanStatus(status.Value, description),
        };
        if (!findings.Found) return response;

        var scanKey = findings.ScanCompletedAt?.ToUnixTimeMilliseconds() ?? 0;
        if (tokenScan is not null && tokenScan != scanKey)
            throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the scan it paged through was replaced by a newer one; start again.");
        var all = findings.Findings ?? [];
        var page = all.Skip(offset).Take(maxResults).ToList();
        var enhanced = findings.ScanType == ScanType.ENHANCED;
        var options = call.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EcrOptions>>().Value;
        var scanFindings = new JsonObject
        {
            ["imageScanCompletedAt"] = EcrJson.Time(findings.ScanCompletedAt),
            ["vulnerabilitySourceUpdatedAt"] = EcrJson.Time(findings.VulnerabilitySourceUpdatedAt),
            ["findingSeverityCounts"] = EcrJson.SeverityCounts(findings.FindingSeverityCounts),
        };
        if (enhanced)
            scanFindings["enhancedFindings"] = new JsonArray(page.Select(f =>
                (JsonNode)EnhancedFindingJson.From(f, image, registry, options.Region, findings.ScanCompletedAt)).ToArray());
        else
            scanFindings["findings"] = new JsonArray(page.Select(f => (JsonNode)BasicFinding(f)).ToArray());
        response["imageScanFindings"] = EcrJson.Compact(scanFindings);
        if (offset + page.Count < all.Count) response["nextToken"] = EncodeToken(offset + page.Count, scanKey);
        return response;
    }

    /// <summary>
    /// The status a client sees. IN_PROGRESS while the catalog says a scan runs, or when the catalog recorded the end of a
    /// scan whose result Findings does not hold yet; otherwise Findings' status (ENHANCED results read ACTIVE, as in ECR).
    /// Null when the image was never scanned.
    /// </summary>
    public static (ScanStatus? Status, string? Description) EffectiveStatus(CatalogImage image, ImageFindingsResult findings)
    {
        if (image.ScanStatus == ScanStatus.IN_PROGRESS) return (ScanStatus.IN_PROGRESS, image.ScanStatusDescription);
        if (!findings.Found)
            return image.ScanStatus is null ? (null, null) : (ScanStatus.IN_PROGRESS, "The scan has finished; its findings are being stored.");
        var status = findings.Status ?? ScanStatus.COMPLETE;
        if (findings.ScanType == ScanType.ENHANCED && status == ScanStatus.COMPLETE)
            return (ScanStatus.ACTIVE, "Enhanced scanning is active for the image.");
        return (status, findings.StatusDescription);
    }

    private static JsonObject BasicFinding(VulnerabilityFinding f)
    {
        var attributes = new JsonArray();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                attributes.Add(new JsonObject { ["key"] = key, ["value"] = value.Length > 256 ? value[..256] : value });
        }
        Add("package_name", f.Package.Name);
        Add("package_version", f.Package.Version);
        var cvss = f.CvssVector is { } vector && vector.StartsWith("CVSS:3", StringComparison.Ordinal) ? "CVSS3" : "CVSS2";
        Add($"{cvss}_VECTOR", f.CvssVector);
        Add($"{cvss}_SCORE", f.CvssScore?.ToString(CultureInfo.InvariantCulture));
        return EcrJson.Compact(new JsonObject
        {
            ["name"] = f.VulnerabilityId,
            ["description"] = f.Description ?? f.Title,
            ["uri"] = f.SourceUrl,
            ["severity"] = f.Severity == FindingSeverity.UNTRIAGED ? nameof(FindingSeverity.UNDEFINED) : f.Severity.ToString(),
            ["attributes"] = attributes,
        });
    }

    private static string EncodeToken(int offset, long scanKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"findings\n{offset}\n{scanKey}")));

    private static bool TryDecodeToken(string token, out int offset, out long? scanKey)
    {
        offset = 0;
        scanKey = null;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
            if (parts is not ["findings", var o, var s]) return false;
            if (!int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset) ||
                !long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key)) return false;
            scanKey = key;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
