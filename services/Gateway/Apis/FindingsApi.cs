using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using MassTransit;

namespace ImageScanning.Gateway.Apis;

public static class FindingsApi
{
    public static RouteGroupBuilder MapFindingsApi(this RouteGroupBuilder api)
    {
        // {**image} is "repository@sha256:...": repository names contain slashes.
        api.MapGet("/registries/{registry}/findings/{**image}", GetImageFindings).WithTags("Findings");
        api.MapGet("/events/scan-completed", ListScanCompletedEvents).WithTags("Events");
        return api;
    }

    private static async Task<IResult> GetImageFindings(
        string registry, string image, ConfiguredRegistries registries, IRequestClient<GetImageFindings> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var at = image.LastIndexOf('@');
        if (at <= 0 || !image[(at + 1)..].StartsWith("sha256:", StringComparison.Ordinal))
            return ApiErrors.Error("InvalidParameterException", "Expected an image reference of the form repository@sha256:<digest>.");
        var (repository, digest) = (image[..at], image[(at + 1)..]);

        var response = await client.GetResponse<ImageFindingsResult>(new GetImageFindings(registry, repository, digest), ct);
        var result = response.Message;
        if (!result.Found)
            return ApiErrors.Error("ScanNotFoundException", $"No scan of {repository}@{digest} has completed yet.", StatusCodes.Status404NotFound);
        return Results.Ok(new
        {
            registryId = registry,
            repositoryName = repository,
            imageId = new { imageDigest = digest, imageTags = result.Image?.Tags ?? [] },
            scanType = result.ScanType,
            imageScanStatus = new { status = result.Status, description = result.StatusDescription },
            // Not ECR's: the image's OS and its release's end of life (docs/eol.md).
            operatingSystem = result.OperatingSystem is { } os
                ? new { id = os.Id, versionId = os.VersionId, prettyName = os.PrettyName, endOfLife = os.EndOfLife }
                : null,
            imageScanFindings = new
            {
                imageScanCompletedAt = result.ScanCompletedAt,
                findingSeverityCounts = result.FindingSeverityCounts,
                findings = result.Findings,
            },
        });
    }

    private static async Task<IResult> ListScanCompletedEvents(
        DateTimeOffset? since, int? limit, IRequestClient<ListScanCompletedEvents> client, CancellationToken ct)
    {
        var response = await client.GetResponse<ScanCompletedEventsResult>(new ListScanCompletedEvents(since, limit ?? 100), ct);
        // Each envelope is already EventBridge JSON; splice them into one array without re-parsing.
        return Results.Text("[" + string.Join(",", response.Message.EventBridgeEnvelopes) + "]", "application/json");
    }
}
