using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Ecr;

namespace ImageScanning.Gateway.Inspector2.Operations;

/// <summary>
/// GetConfiguration / UpdateConfiguration's <c>ecrConfiguration</c> (re-scan durations). Inspector's setting is the account's;
/// here each registry keeps its own (ScanRouter owns and validates it), so an update is put to every registry of the account and
/// a get answers the default registry's.
/// </summary>
public static class ConfigurationOperations
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<JsonObject> GetConfigurationAsync(Inspector2Call call)
    {
        var registry = call.Registries.Resolve(null);
        var result = await call.AskAsync<GetRescanConfiguration, RescanConfigurationResult>(new(registry.Name));
        var configuration = result.Configuration;
        var state = new JsonObject
        {
            ["rescanDuration"] = configuration.RescanDuration.ToString(),
            ["pullDateRescanDuration"] = configuration.PullDateRescanDuration?.ToString(),
            ["pullDateRescanMode"] = configuration.PullDateRescanMode?.ToString(),
            ["status"] = "SUCCESS", // stored synchronously: a put is in effect when it answers
            ["updatedAt"] = InspectorTimestamps.Render(result.UpdatedAt, InspectorFindingForm.Inspector2Api),
        };
        return new JsonObject { ["ecrConfiguration"] = new JsonObject { ["rescanDurationState"] = EcrJson.Compact(state) } };
    }

    public static async Task<JsonObject> UpdateConfigurationAsync(Inspector2Call call)
    {
        if (call.Request.Object("ec2Configuration") is not null)
            throw Inspector2Errors.Validation("This platform scans container images only: ec2Configuration is not supported.", "ec2Configuration");
        var ecr = call.Request.Object("ecrConfiguration")
            ?? throw Inspector2Errors.Validation("ecrConfiguration is required: this platform has no EC2 scanning to configure.", "ecrConfiguration");
        EcrRescanConfiguration configuration;
        try
        {
            configuration = ecr.Deserialize<EcrRescanConfiguration>(Json) ?? throw Inspector2Errors.Validation("ecrConfiguration is required.", "ecrConfiguration");
        }
        catch (JsonException e)
        {
            throw Inspector2Errors.Validation("ecrConfiguration could not be read: " + e.Message, "ecrConfiguration");
        }
        foreach (var registry in call.Registries.All)
        {
            var result = await call.AskAsync<PutRescanConfiguration, PutRescanConfigurationResult>(new(registry.Name, configuration));
            if (result.ErrorType is not null)
                throw Inspector2Errors.Validation(result.ErrorMessage ?? "Invalid ecrConfiguration.", "ecrConfiguration");
        }
        return [];
    }
}
