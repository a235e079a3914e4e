using ImageScanning.AwsWire;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Ecr.Operations;

/// <summary>
/// DescribeImageScanFindings: the image's status from ScanRouter's catalog and its latest result from Findings, paged
/// with nextToken/maxResults. A scan the catalog calls finished is reported IN_PROGRESS until Findings holds its result,
/// so COMPLETE is never seen before the findings can be read. BASIC findings are the latest scan's; ENHANCED findings are
/// the image's ACTIVE and SUPPRESSED lifecycle findings (one ListFindings request per page), with Findings' ARNs.
/// </summary>
public static class ScanFindingsOperation
{
    private const int DefaultPageSize = 100;
    private const string BasicTokenKind = "findings";
    private const string EnhancedTokenKind = "lifecycle";

    public static async Task<JsonObject> DescribeImageScanFindingsAsync(EcrCall call)
    {
        var registry = call.Registry;
        var request = call.Request;
        var repository = request.RepositoryName();
        var (digest, tag) = EcrRequest.ImageIdentifier(request.Object("imageId"), "imageId");
        var maxResults = request.MaxResults(1000, DefaultPageSize);
        var token = request.String("nextToken") is { } nextToken
            ? DecodeToken(nextToken) ?? throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the token was not issued by this endpoint.")
            : null;

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

        var scanFindings = new JsonObject
        {
            ["imageScanCompletedAt"] = EcrJson.Time(findings.ScanCompletedAt),
            ["vulnerabilitySourceUpdatedAt"] = EcrJson.Time(findings.VulnerabilitySourceUpdatedAt),
            ["findingSeverityCounts"] = EcrJson.SeverityCounts(findings.FindingSeverityCounts),
        };
        string? next;
        if (findings.ScanType == ScanType.ENHANCED)
        {
            (var page, next) = await EnhancedPageAsync(call, image, maxResults, token);
            scanFindings["enhancedFindings"] = new JsonArray(page.Select(f =>
                (JsonNode)InspectorFindingJson.Render(f, call.Account, InspectorFindingForm.EcrApi, image.PushedAt)).ToArray());
        }
        else
        {
            (var page, next) = BasicPage(findings, maxResults, token);
            scanFindings["findings"] = new JsonArray(page.Select(f => (JsonNode)BasicFinding(f)).ToArray());
        }
        response["imageScanFindings"] = EcrJson.Compact(scanFindings);
        if (next is not null) response["nextToken"] = next;
        return response;
    }

    /// <summary>
    /// One keyset page of the image's open lifecycle findings, most severe first. Findings' own token rides inside ours,
    /// so a page boundary stays put while findings change between pages.
    /// </summary>
    private static async Task<(IReadOnlyList<FindingDetail> Page, string? NextToken)> EnhancedPageAsync(
        EcrCall call, CatalogImage image, int maxResults, string[]? token)
    {
        string? inner = null;
        if (token is not null)
            inner = token is [EnhancedTokenKind, var t] ? t : throw ReplacedScanType();
        var filter = new FindingFilter(Statuses: [FindingStatus.ACTIVE, FindingStatus.SUPPRESSED],
            Registry: call.Registry.Name, Repository: image.Repository, ImageDigest: image.Digest);
        var page = await call.AskAsync<ListFindings, FindingsPage>(new(filter, FindingSortField.SEVERITY, SortOrder.DESC, maxResults, inner));
        if (page.ErrorMessage is not null) throw EcrException.InvalidParameter($"Invalid parameter at 'nextToken': {page.ErrorMessage}");
        return (page.Findings, page.NextToken is null ? null : EncodeToken(EnhancedTokenKind, page.NextToken));
    }

    /// <summary>An offset page of the latest BASIC scan; the token is bound to that scan, so a newer scan refuses it.</summary>
    private static (IReadOnlyList<VulnerabilityFinding> Page, string? NextToken) BasicPage(ImageFindingsResult findings, int maxResults, string[]? token)
    {
        var scanKey = (findings.ScanCompletedAt?.ToUnixTimeMilliseconds() ?? 0).ToString(CultureInfo.InvariantCulture);
        var offset = 0;
        if (token is not null)
        {
            if (token is not [BasicTokenKind, var o, var s]) throw ReplacedScanType();
            if (!int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the token was not issued by this endpoint.");
            if (s != scanKey)
                throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the scan it paged through was replaced by a newer one; start again.");
        }
        var all = findings.Findings ?? [];
        var page = all.Skip(offset).Take(maxResults).ToList();
        var end = offset + page.Count;
        return (page, end < all.Count ? EncodeToken(BasicTokenKind, end.ToString(CultureInfo.InvariantCulture), scanKey) : null);
    }

    private static EcrException ReplacedScanType() =>
        EcrException.InvalidParameter("Invalid parameter at 'nextToken': the token pages another scan type's result; start again.");

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

    private static string EncodeToken(params string[] parts) => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n', parts)));

    /// <summary>The token's parts, or null when it is not one this endpoint issued.</summary>
    private static string[]? DecodeToken(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
            return parts is [BasicTokenKind, _, _] or [EnhancedTokenKind, _] ? parts : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
