using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using MassTransit;

namespace ImageScanning.Gateway.Apis;

/// <summary>Inspector-style coverage per image and repository (ScanRouter answers from its catalog and rules).</summary>
public static class CoverageApi
{
    public static RouteGroupBuilder MapCoverageApi(this RouteGroupBuilder api)
    {
        api.MapGet("/coverage", ListCoverage).WithTags("Coverage")
            .WithSummary("Scan coverage of a registry's images and repositories, with Inspector's status reasons.")
            .Produces<CoverageResult>().Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> ListCoverage(
        string? registry, string? repository, string? maxResults, string? nextToken, ConfiguredRegistries registries,
        IRequestClient<ListCoverage> client, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(registry)) return ApiErrors.Error("ValidationException", "The registry query parameter is required.");
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        if (!FindingFilterParameters.TryParseMaxResults(maxResults, 200, out var limit, out var error)) return ApiErrors.Error("ValidationException", error);
        if (repository is { Length: 0 or > 256 }) return ApiErrors.Error("ValidationException", "repository must be 1-256 characters.");
        var response = await client.GetResponse<CoverageResult>(new ListCoverage(registry, repository, limit, nextToken), ct);
        var result = response.Message;
        return result.ErrorMessage is not null
            ? ApiErrors.Error("ValidationException", result.ErrorMessage)
            : Results.Ok(new { coveredResources = result.CoveredResources, nextToken = result.NextToken });
    }
}
