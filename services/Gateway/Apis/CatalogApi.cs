using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.ServiceDefaults.Security;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Apis;

/// <summary>The image catalog (ScanRouter) joined with scan results (Findings), and a dry run of scanning rules.</summary>
public static class CatalogApi
{
    public const int DefaultPageSize = 50;

    public static RouteGroupBuilder MapCatalogApi(this RouteGroupBuilder api)
    {
        api.MapGet("/registries", ListRegistries).WithTags("Catalog");
        api.MapGet("/registries/{registry}/repositories", ListRepositories).WithTags("Catalog");
        // Repository names contain slashes, and a catch-all must end the route: "{repository}/images" is split off by hand.
        api.MapGet("/registries/{registry}/repositories/{**repositoryImages}", ListRepositoryImages).WithTags("Catalog");
        // A POST that only reads: it evaluates a configuration in the body against the catalog and stores nothing.
        api.MapPost("/registries/{registry}/scanning-configuration/preview", PreviewConfiguration).WithTags("Scanning configuration")
            .RequireScope(TokenScopes.Read);
        return api;
    }

    /// <summary>The console's wording for a repository's effective scan frequency.</summary>
    public static string FrequencyLabel(ScanFrequency frequency, bool scanningEnabled) => !scanningEnabled
        ? "Scanning off"
        : frequency switch
        {
            ScanFrequency.SCAN_ON_PUSH => "On push",
            ScanFrequency.CONTINUOUS_SCAN => "Continuous",
            _ => "Manual",
        };

    private static IResult ListRegistries(ConfiguredRegistries registries) =>
        Results.Ok(new { registries = registries.Names.Order(StringComparer.Ordinal).Select(name => new { registryId = name }) });

    private static async Task<IResult> ListRepositories(
        string registry, ConfiguredRegistries registries, IRequestClient<ListRepositories> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var response = await client.GetResponse<RepositoriesResult>(new ListRepositories(registry), ct);
        return Results.Ok(new
        {
            registryId = registry,
            repositories = response.Message.Repositories.Select(r => new
            {
                repositoryName = r.RepositoryName,
                scanType = r.ScanType,
                scanFrequency = r.ScanFrequency,
                scanFrequencyLabel = FrequencyLabel(r.ScanFrequency, r.ScanningEnabled),
                scanningEnabled = r.ScanningEnabled,
                scanOnPush = r.ScanOnPush,
                appliedScanFilters = r.AppliedScanFilters,
                imageCount = r.ImageCount,
                lastPushedAt = r.LastPushedAt,
            }),
        });
    }

    private static async Task<IResult> ListRepositoryImages(
        string registry, string repositoryImages, int? maxResults, string? nextToken, ConfiguredRegistries registries,
        IRequestClient<ListRepositoryImages> catalog, IRequestClient<GetImageSeverityCounts> findings, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        const string suffix = "/images";
        if (!repositoryImages.EndsWith(suffix, StringComparison.Ordinal) || repositoryImages.Length == suffix.Length)
            return ApiErrors.Error("InvalidParameterException", "Expected /repositories/{repository}/images.", StatusCodes.Status404NotFound);
        var repository = repositoryImages[..^suffix.Length];

        var page = (await catalog.GetResponse<RepositoryImagesResult>(
            new ListRepositoryImages(registry, repository, maxResults ?? DefaultPageSize, string.IsNullOrEmpty(nextToken) ? null : nextToken), ct)).Message;
        if (page.ErrorType is { } errorType) return ApiErrors.Error(errorType, page.ErrorMessage ?? "Invalid request.");

        var counts = page.Images.Count == 0
            ? new Dictionary<string, ImageSeverityCounts>()
            : (await findings.GetResponse<ImageSeverityCountsResult>(
                new GetImageSeverityCounts(registry, repository, page.Images.Select(i => i.Digest).ToList()), ct))
                .Message.Images.ToDictionary(c => c.Digest, StringComparer.Ordinal);

        return Results.Ok(new
        {
            registryId = registry,
            repositoryName = repository,
            images = page.Images.Select(image =>
            {
                var scan = counts.GetValueOrDefault(image.Digest);
                return new
                {
                    imageDigest = image.Digest,
                    imageTags = image.Tags,
                    imagePushedAt = image.PushedAt,
                    imageManifestMediaType = image.MediaType,
                    imageScanStatus = image.ScanStatus is null ? null : new { status = image.ScanStatus, description = image.ScanStatusDescription },
                    imageScanFindingsSummary = scan is { Scanned: true }
                        ? new { imageScanCompletedAt = scan.ScanCompletedAt, findingSeverityCounts = scan.FindingSeverityCounts }
                        : null,
                };
            }),
            nextToken = page.NextToken,
        });
    }

    private static async Task<IResult> PreviewConfiguration(
        string registry, HttpRequest request, ConfiguredRegistries registries, IOptions<JsonOptions> json,
        IRequestClient<PreviewScanningConfiguration> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var (body, error) = await JsonBodies.ReadAsync<RegistryScanningConfiguration>(request, json.Value.SerializerOptions, "scanning configuration", ct);
        if (body is null) return error!;

        var preview = (await client.GetResponse<ScanningConfigurationPreviewResult>(
            new PreviewScanningConfiguration(registry, body with { Rules = body.Rules ?? [] }), ct)).Message;
        if (preview.ErrorType is { } errorType) return ApiErrors.Error(errorType, preview.ErrorMessage ?? "Invalid scanning configuration.");
        return Results.Ok(new
        {
            registryId = registry,
            rules = preview.Rules.Select(r => new { rule = r.Rule, scanFrequency = r.ScanFrequency, matchedRepositories = r.MatchedRepositories }),
            repositories = preview.Repositories.Select(r => new
            {
                repositoryName = r.RepositoryName,
                scanFrequency = r.ScanFrequency,
                scanFrequencyLabel = FrequencyLabel(r.ScanFrequency, r.ScanningEnabled),
                scanningEnabled = r.ScanningEnabled,
                scanOnPush = r.ScanOnPush,
            }),
        });
    }
}
