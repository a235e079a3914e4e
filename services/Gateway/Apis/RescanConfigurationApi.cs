using System.Text.Json;
using System.Text.Json.Serialization;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Apis;

/// <summary>
/// A registry's re-scan durations in Inspector's shape (INTERFACES §2.3): PUT takes UpdateConfiguration's
/// <c>{"ecrConfiguration":{rescanDuration, pullDateRescanDuration?, pullDateRescanMode?}}</c>, GET answers GetConfiguration's
/// <c>{"ecrConfiguration":{"rescanDurationState":{..., status, updatedAt}}}</c>. ScanRouter owns and validates it.
/// </summary>
public static class RescanConfigurationApi
{
    /// <summary>UpdateConfiguration's body.</summary>
    public sealed record UpdateRescanConfigurationBody([property: JsonRequired] EcrRescanConfiguration EcrConfiguration);

    public static RouteGroupBuilder MapRescanConfigurationApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/registries/{registry}/rescan-configuration").WithTags("Re-scan configuration");
        group.MapGet("", GetConfiguration);
        group.MapPut("", PutConfiguration);
        return api;
    }

    private static async Task<IResult> GetConfiguration(
        string registry, ConfiguredRegistries registries, IRequestClient<GetRescanConfiguration> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        var response = await client.GetResponse<RescanConfigurationResult>(new GetRescanConfiguration(registry), ct);
        return Results.Ok(State(response.Message.Configuration, response.Message.UpdatedAt));
    }

    private static async Task<IResult> PutConfiguration(
        string registry, HttpRequest request, ConfiguredRegistries registries, IOptions<JsonOptions> json,
        IRequestClient<PutRescanConfiguration> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        // Unknown durations or modes, a missing rescanDuration, malformed JSON: Inspector answers ValidationException.
        var (body, error) = await JsonBodies.ReadAsync<UpdateRescanConfigurationBody>(request, json.Value.SerializerOptions, "re-scan configuration", ct);
        if (body is null) return error!;
        if (body.EcrConfiguration is null) return ApiErrors.Error("ValidationException", "An ecrConfiguration body is required.");
        var response = await client.GetResponse<PutRescanConfigurationResult>(new PutRescanConfiguration(registry, body.EcrConfiguration), ct);
        return response.Message.ErrorType is { } errorType
            ? ApiErrors.Error(errorType, response.Message.ErrorMessage ?? "Invalid re-scan configuration.")
            : Results.Ok(State(response.Message.Configuration!, response.Message.UpdatedAt));
    }

    private static object State(EcrRescanConfiguration configuration, DateTimeOffset? updatedAt) => new
    {
        ecrConfiguration = new
        {
            rescanDurationState = new
            {
                rescanDuration = configuration.RescanDuration,
                pullDateRescanDuration = configuration.PullDateRescanDuration,
                pullDateRescanMode = configuration.PullDateRescanMode,
                // Stored synchronously: a put is in effect when it answers.
                status = "SUCCESS",
                updatedAt,
            },
        },
    };
}
