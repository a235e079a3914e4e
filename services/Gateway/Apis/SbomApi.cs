using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using MassTransit;

namespace ImageScanning.Gateway.Apis;

/// <summary>SBOM export of a scanned image: CycloneDX 1.5 or SPDX 2.3 JSON.</summary>
public static class SbomApi
{
    public static RouteGroupBuilder MapSbomApi(this RouteGroupBuilder api)
    {
        // {**image} is "repository@sha256:...": repository names contain slashes.
        api.MapGet("/registries/{registry}/sbom/{**image}", GetSbom).WithTags("SBOM")
            .WithSummary("The image's packages as CycloneDX 1.5 (format=cyclonedx, default) or SPDX 2.3 (format=spdx) JSON.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> GetSbom(
        string registry, string image, string? format, ConfiguredRegistries registries, IRequestClient<GetImageSbom> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var at = image.LastIndexOf('@');
        if (at <= 0 || !image[(at + 1)..].StartsWith("sha256:", StringComparison.Ordinal))
            return ApiErrors.Error("InvalidParameterException", "Expected an image reference of the form repository@sha256:<digest>.");
        (SbomFormat Format, string ContentType)? chosen = (format ?? "cyclonedx").ToLowerInvariant() switch
        {
            "cyclonedx" => (SbomFormat.CYCLONEDX_1_5, "application/vnd.cyclonedx+json"),
            "spdx" => (SbomFormat.SPDX_2_3, "application/spdx+json"),
            _ => null,
        };
        if (chosen is not { } selected) return ApiErrors.Error("InvalidParameterException", "format must be cyclonedx or spdx.");
        var (repository, digest) = (image[..at], image[(at + 1)..]);
        var response = await client.GetResponse<ImageSbomResult>(new GetImageSbom(registry, repository, digest, selected.Format), ct);
        return response.Message is { Found: true, Json: { } json }
            ? Results.Text(json, selected.ContentType)
            : ApiErrors.Error("ScanNotFoundException", $"No scanned inventory of {repository}@{digest}.", StatusCodes.Status404NotFound);
    }
}
