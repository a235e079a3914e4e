using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Ecr.Operations;

/// <summary>Registry and repository scanning configuration operations; ScanRouter validates and stores them.</summary>
public static class ScanningConfigurationOperations
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<JsonObject> GetRegistryScanningConfigurationAsync(EcrCall call)
    {
        var registry = call.Registry;
        var result = await call.AskAsync<GetRegistryScanningConfiguration, RegistryScanningConfigurationResult>(new(registry.Name));
        return new JsonObject { ["registryId"] = registry.RegistryId, ["scanningConfiguration"] = ToJson(result.Configuration) };
    }

    public static async Task<JsonObject> PutRegistryScanningConfigurationAsync(EcrCall call)
    {
        var registry = call.Registry;
        var body = call.Request.Body.DeepClone().AsObject();
        body.Remove("registryId");
        RegistryScanningConfiguration configuration;
        try
        {
            configuration = body.Deserialize<RegistryScanningConfiguration>(Json) ?? throw EcrRequest.Serialization("A scanning configuration is required.");
        }
        catch (JsonException e)
        {
            // Unknown enum values and missing required members of a rule or filter: ECR answers ValidationException.
            throw new EcrException("ValidationException", "The scanning configuration could not be read: " + e.Message);
        }
        configuration = configuration with { Rules = configuration.Rules ?? [] };
        var result = await call.AskAsync<PutRegistryScanningConfiguration, PutRegistryScanningConfigurationResult>(new(registry.Name, configuration));
        if (result.ErrorType is { } errorType) throw new EcrException(errorType, result.ErrorMessage ?? "Invalid scanning configuration.");
        return new JsonObject { ["registryScanningConfiguration"] = ToJson(result.Configuration!) };
    }

    public static async Task<JsonObject> BatchGetRepositoryScanningConfigurationAsync(EcrCall call)
    {
        var registry = call.Registry;
        var names = call.Request.Array("repositoryNames") ?? throw EcrException.MissingMember("repositoryNames");
        if (names.Count is < 1 or > 25)
            throw EcrException.InvalidParameterAt("repositoryNames", "Member must have length between 1 and 25");
        var repositories = names.Select((n, i) => n is JsonValue v && v.TryGetValue<string>(out var s)
                ? EcrRequest.CheckRepositoryName(s, $"repositoryNames.{i + 1}.member")
                : throw EcrRequest.Serialization("'repositoryNames' must be a list of strings."))
            .ToList();

        var result = await call.AskAsync<GetRepositoryScanning, RepositoryScanningResult>(new(registry.Name, repositories));
        var configurations = new JsonArray();
        foreach (var r in result.Repositories)
            configurations.Add(new JsonObject
            {
                ["repositoryArn"] = call.Account.RepositoryArn(registry.Name, r.Repository),
                ["repositoryName"] = r.Repository,
                ["scanOnPush"] = r.ScanOnPush,
                ["scanFrequency"] = r.ScanFrequency.ToString(),
                ["appliedScanFilters"] = new JsonArray(r.AppliedScanFilters
                    .Select(f => (JsonNode)new JsonObject { ["filter"] = f.Filter, ["filterType"] = f.FilterType.ToString() }).ToArray()),
            });
        var failures = new JsonArray(result.NotFound.Select(name => (JsonNode)new JsonObject
        {
            ["repositoryName"] = name,
            ["failureCode"] = "REPOSITORY_NOT_FOUND",
            ["failureReason"] = "REPOSITORY_NOT_FOUND",
        }).ToArray());
        return new JsonObject { ["scanningConfigurations"] = configurations, ["failures"] = failures };
    }

    public static async Task<JsonObject> PutImageScanningConfigurationAsync(EcrCall call)
    {
        var registry = call.Registry;
        var repository = call.Request.RepositoryName();
        var settings = call.Request.Object("imageScanningConfiguration") ?? throw EcrException.MissingMember("imageScanningConfiguration");
        var scanOnPush = settings["scanOnPush"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw EcrRequest.Serialization("'imageScanningConfiguration.scanOnPush' must be a boolean."),
        };
        var result = await call.AskAsync<PutRepositoryScanOnPush, PutRepositoryScanOnPushResult>(new(registry.Name, repository, scanOnPush));
        if (!result.RepositoryFound) throw EcrException.RepositoryNotFound(repository, registry.RegistryId);
        return new JsonObject
        {
            ["registryId"] = registry.RegistryId,
            ["repositoryName"] = repository,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = scanOnPush },
        };
    }

    private static JsonNode ToJson(RegistryScanningConfiguration configuration) =>
        JsonSerializer.SerializeToNode(configuration with { Rules = configuration.Rules ?? [] }, Json)!;
}
