using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Ecr.Operations;

/// <summary>StartImageScan, DescribeImages and DescribeRepositories over ScanRouter's catalog (and Findings' summaries).</summary>
public static class ImageOperations
{
    /// <summary>ECR's message, as captured by getmoto/moto and seen in real-world logs (INTERFACES §1.4).</summary>
    public const string QuotaExceededMessage = "The scan quota per image has been exceeded. Wait and try again.";

    /// <summary>What ECR answers StartImageScan with while the registry uses enhanced scanning (users' reports of real responses).</summary>
    public const string EnhancedScanningMessage = "This feature is disabled.";

    public static async Task<JsonObject> StartImageScanAsync(EcrCall call)
    {
        var registry = call.Registry;
        var repository = call.Request.RepositoryName();
        var (digest, tag) = EcrRequest.ImageIdentifier(call.Request.Object("imageId"), "imageId");
        var result = await call.AskAsync<StartManualScan, ManualScanResult>(new(registry.Name, repository, new ImageSelector(digest, tag)));
        return result.Outcome switch
        {
            ManualScanOutcome.STARTED => new JsonObject
            {
                ["registryId"] = registry.RegistryId,
                ["repositoryName"] = repository,
                ["imageId"] = EcrJson.ImageId(result.Image!.Digest, tag),
                ["imageScanStatus"] = EcrJson.ScanStatus(result.Status ?? ScanStatus.IN_PROGRESS, result.StatusDescription),
            },
            ManualScanOutcome.REPOSITORY_NOT_FOUND => throw EcrException.RepositoryNotFound(repository, registry.RegistryId),
            ManualScanOutcome.IMAGE_NOT_FOUND => throw EcrException.ImageNotFound(repository, registry.RegistryId, digest, tag),
            ManualScanOutcome.QUOTA_EXCEEDED => throw new EcrException("LimitExceededException", QuotaExceededMessage),
            ManualScanOutcome.ENHANCED_SCANNING => throw new EcrException("ValidationException", EnhancedScanningMessage),
            ManualScanOutcome.UNSUPPORTED_IMAGE_TYPE => throw new EcrException("UnsupportedImageTypeException",
                $"The image with digest '{result.Image?.Digest}' is an image index (manifest list), which cannot be scanned. Scan each platform image by its digest."),
            _ => throw new EcrException("ServerException", $"Unexpected outcome {result.Outcome}.", StatusCodes.Status500InternalServerError),
        };
    }

    public static async Task<JsonObject> DescribeImagesAsync(EcrCall call)
    {
        var registry = call.Registry;
        var request = call.Request;
        var repository = request.RepositoryName();
        var ids = request.Array("imageIds");
        var nextToken = request.String("nextToken");
        if (ids is not null && (request.Body["maxResults"] is not null || nextToken is not null))
            throw EcrException.InvalidParameter("Invalid parameter: maxResults and nextToken cannot be used together with imageIds.");
        if (ids is { Count: < 1 or > 100 })
            throw EcrException.InvalidParameterAt("imageIds", "Member must have length between 1 and 100");
        var selectors = ids?.Select((id, i) => EcrRequest.ImageIdentifier(id as JsonObject, $"imageIds.{i + 1}.member"))
            .Select(id => new ImageSelector(id.Digest, id.Tag)).ToList();
        var maxResults = request.MaxResults(1000, 100);

        var result = await call.AskAsync<ListCatalogImages, CatalogImagesResult>(new(registry.Name, repository, selectors, maxResults, nextToken));
        if (!result.RepositoryFound) throw EcrException.RepositoryNotFound(repository, registry.RegistryId);
        if (result.InvalidNextToken) throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the token was not issued by this endpoint.");
        // ECR fails DescribeImages as a whole when a requested image does not exist.
        if (result.NotFound.FirstOrDefault() is { } missing)
            throw EcrException.ImageNotFound(repository, registry.RegistryId, missing.Digest, missing.Tag);

        var summaries = await Task.WhenAll(result.Images.Select(image => FindingsSummaryAsync(call, registry, image)));
        var details = new JsonArray();
        foreach (var (image, summary) in result.Images.Zip(summaries))
        {
            var detail = new JsonObject
            {
                ["registryId"] = registry.RegistryId,
                ["repositoryName"] = image.Repository,
                ["imageDigest"] = image.Digest,
                ["imageTags"] = new JsonArray(image.Tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
                ["imagePushedAt"] = EcrJson.Time(image.PushedAt),
                ["imageManifestMediaType"] = image.MediaType.Length > 0 ? image.MediaType : null,
                ["imageStatus"] = "ACTIVE",
                ["imageScanStatus"] = summary.Status is { } status ? EcrJson.ScanStatus(status, summary.Description) : null,
                ["imageScanFindingsSummary"] = summary.Findings,
            };
            details.Add(EcrJson.Compact(detail));
        }
        return EcrJson.Compact(new JsonObject { ["imageDetails"] = details, ["nextToken"] = result.NextToken });
    }

    public static async Task<JsonObject> DescribeRepositoriesAsync(EcrCall call)
    {
        var registry = call.Registry;
        var request = call.Request;
        var names = request.Array("repositoryNames");
        var nextToken = request.String("nextToken");
        if (names is not null && (request.Body["maxResults"] is not null || nextToken is not null))
            throw EcrException.InvalidParameter("Invalid parameter: maxResults and nextToken cannot be used together with repositoryNames.");
        if (names is { Count: < 1 or > 100 })
            throw EcrException.InvalidParameterAt("repositoryNames", "Member must have length between 1 and 100");
        var wanted = names?.Select((n, i) => n is JsonValue v && v.TryGetValue<string>(out var s)
            ? EcrRequest.CheckRepositoryName(s, $"repositoryNames.{i + 1}.member")
            : throw EcrRequest.Serialization("'repositoryNames' must be a list of strings.")).ToList();
        var maxResults = request.MaxResults(1000, 100);
        string? after = null;
        if (nextToken is not null && !TryDecodeToken(nextToken, out after))
            throw EcrException.InvalidParameter("Invalid parameter at 'nextToken': the token was not issued by this endpoint.");

        var all = (await call.AskAsync<ListCatalogRepositories, CatalogRepositoriesResult>(new(registry.Name))).Repositories;
        IReadOnlyList<CatalogRepository> selected;
        string? next = null;
        if (wanted is not null)
        {
            var byName = all.ToDictionary(r => r.Name, StringComparer.Ordinal);
            // ECR fails the whole call when one named repository does not exist.
            selected = wanted.Distinct(StringComparer.Ordinal)
                .Select(n => byName.GetValueOrDefault(n) ?? throw EcrException.RepositoryNotFound(n, registry.RegistryId)).ToList();
        }
        else
        {
            var remaining = all.Where(r => after is null || string.CompareOrdinal(r.Name, after) > 0).ToList();
            selected = remaining.Take(maxResults).ToList();
            if (remaining.Count > maxResults) next = EncodeToken(selected[^1].Name);
        }

        var repositories = new JsonArray(selected.Select(r => (JsonNode)RepositoryOperations.RepositoryJson(call, registry, r)).ToArray());
        return EcrJson.Compact(new JsonObject { ["repositories"] = repositories, ["nextToken"] = next });
    }

    private sealed record FindingsSummary(ScanStatus? Status, string? Description, JsonObject? Findings);

    private static async Task<FindingsSummary> FindingsSummaryAsync(EcrCall call, EcrRegistry registry, CatalogImage image)
    {
        if (image.ScanStatus is null) return new FindingsSummary(null, null, null);
        var findings = await call.AskAsync<GetImageFindings, ImageFindingsResult>(new(registry.Name, image.Repository, image.Digest));
        var (status, description) = ScanFindingsOperation.EffectiveStatus(image, findings);
        if (!findings.Found || status == ScanStatus.IN_PROGRESS) return new FindingsSummary(status, description, null);
        return new FindingsSummary(status, description, EcrJson.Compact(new JsonObject
        {
            ["imageScanCompletedAt"] = EcrJson.Time(findings.ScanCompletedAt),
            ["vulnerabilitySourceUpdatedAt"] = EcrJson.Time(findings.VulnerabilitySourceUpdatedAt),
            ["findingSeverityCounts"] = EcrJson.SeverityCounts(findings.FindingSeverityCounts),
        }));
    }

    private static string EncodeToken(string lastName) => Convert.ToBase64String(Encoding.UTF8.GetBytes("repositories\n" + lastName));

    private static bool TryDecodeToken(string token, out string? lastName)
    {
        lastName = null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (!text.StartsWith("repositories\n", StringComparison.Ordinal)) return false;
            lastName = text["repositories\n".Length..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
