using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Apis;

/// <summary>The registry scanning configuration, in ECR's JSON shape; ScanRouter owns and validates it.</summary>
public static class ScanningConfigurationApi
{
    public static RouteGroupBuilder MapScanningConfigurationApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/registries/{registry}/scanning-configuration").WithTags("Scanning configuration");
        group.MapGet("", GetConfiguration);
        group.MapPut("", PutConfiguration);
        return api;
    }

    private static async Task<IResult> GetConfiguration(
        string registry, ConfiguredRegistries registries, IRequestClient<GetRegistryScanningConfiguration> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var response = await client.GetResponse<RegistryScanningConfigurationResult>(new GetRegistryScanningConfiguration(registry), ct);
        return Results.Ok(new { registryId = registry, scanningConfiguration = response.Message.Configuration });
    }

    private static async Task<IResult> PutConfiguration(
        string registry, HttpRequest request, ConfiguredRegistries registries, IOptions<JsonOptions> json,
        IRequestClient<PutRegistryScanningConfiguration> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var (body, error) = await JsonBodies.ReadAsync<RegistryScanningConfiguration>(request, json.Value.SerializerOptions, "scanning configuration", ct);
        if (body is null) return error!;
        // Both members are optional in ECR's model; a missing list is an empty one.
        var configuration = body with { Rules = body.Rules ?? [] };
        var response = await client.GetResponse<PutRegistryScanningConfigurationResult>(new PutRegistryScanningConfiguration(registry, configuration), ct);
        return response.Message.ErrorType is { } errorType
            ? ApiErrors.Error(errorType, response.Message.ErrorMessage ?? "Invalid scanning configuration.")
            : Results.Ok(new { registryScanningConfiguration = response.Message.Configuration });
    }
}
