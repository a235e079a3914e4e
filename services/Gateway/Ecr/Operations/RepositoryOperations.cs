using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Ecr.Operations;

/// <summary>
/// CreateRepository, DeleteRepository and DescribeRegistry (botocore's ECR model, 2015-09-21). ScanRouter creates and removes the
/// catalog entries; this side checks the request as ECR does and phrases the answers with ECR's member names and errors.
/// </summary>
public static class RepositoryOperations
{
    private static readonly string[] Mutabilities = ["MUTABLE", "IMMUTABLE"];
    private static readonly string[] EncryptionTypes = ["AES256", "KMS"];

    /// <summary>The only encryption this endpoint has: the registry's storage, which ECR calls AES256 (its default).</summary>
    public const string DefaultEncryption = "AES256";

    public static async Task<JsonObject> CreateRepositoryAsync(EcrCall call)
    {
        var registry = call.Registry;
        var request = call.Request;
        var repository = request.RepositoryName();
        var mutability = Enum(request.String("imageTagMutability"), "imageTagMutability", Mutabilities) ?? "MUTABLE";
        var scanOnPush = Bool(request.Object("imageScanningConfiguration"), "scanOnPush", "imageScanningConfiguration.scanOnPush") ?? false;
        CheckEncryption(request.Object("encryptionConfiguration"));
        CheckTags(request.Array("tags"));

        var result = await call.AskAsync<CreateCatalogRepository, CreateCatalogRepositoryResult>(new(registry.Name, repository, scanOnPush, mutability));
        if (!result.Created)
            throw new EcrException("RepositoryAlreadyExistsException",
                $"The repository with name '{repository}' already exists in the registry with id '{registry.RegistryId}'");
        return new JsonObject { ["repository"] = RepositoryJson(call, registry, result.Repository) };
    }

    public static async Task<JsonObject> DeleteRepositoryAsync(EcrCall call)
    {
        var registry = call.Registry;
        var repository = call.Request.RepositoryName();
        var force = call.Request.Body["force"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw EcrRequest.Serialization("'force' must be a boolean."),
        };
        var result = await call.AskAsync<DeleteCatalogRepository, DeleteCatalogRepositoryResult>(new(registry.Name, repository, force));
        return result.Outcome switch
        {
            RepositoryDeletionOutcome.DELETED => new JsonObject { ["repository"] = RepositoryJson(call, registry, result.Repository!) },
            RepositoryDeletionOutcome.NOT_FOUND => throw EcrException.RepositoryNotFound(repository, registry.RegistryId),
            RepositoryDeletionOutcome.NOT_EMPTY => throw new EcrException("RepositoryNotEmptyException",
                $"The repository with name '{repository}' in registry with id '{registry.RegistryId}' cannot be deleted because it still contains images"),
            _ => throw new EcrException("ServerException", $"Unexpected outcome {result.Outcome}.", StatusCodes.Status500InternalServerError),
        };
    }

    /// <summary>The registry and its replication configuration: this platform replicates nothing, so no rules.</summary>
    public static Task<JsonObject> DescribeRegistryAsync(EcrCall call) => Task.FromResult(new JsonObject
    {
        ["registryId"] = call.Registry.RegistryId,
        ["replicationConfiguration"] = new JsonObject { ["rules"] = new JsonArray() },
    });

    /// <summary>ECR's Repository shape (CreateRepository, DeleteRepository, DescribeRepositories).</summary>
    public static JsonObject RepositoryJson(EcrCall call, EcrRegistry registry, CatalogRepository repository)
    {
        return new JsonObject
        {
            ["repositoryArn"] = call.Account.RepositoryArn(registry.Name, repository.Name),
            ["registryId"] = registry.RegistryId,
            ["repositoryName"] = repository.Name,
            ["repositoryUri"] = $"{registry.Host}/{repository.Name}",
            ["createdAt"] = EcrJson.Time(repository.CreatedAt),
            ["imageTagMutability"] = repository.ImageTagMutability,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = repository.ScanOnPush },
            ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = DefaultEncryption },
        };
    }

    /// <summary>
    /// encryptionConfiguration: encryptionType is required and AES256 or KMS; KMS is refused, since nothing here holds KMS keys
    /// (the answer would otherwise claim an encryption the registry does not have).
    /// </summary>
    private static void CheckEncryption(JsonObject? encryption)
    {
        if (encryption is null) return;
        var settings = new EcrRequest(encryption);
        var type = Enum(settings.String("encryptionType") ?? throw EcrException.MissingMember("encryptionConfiguration.encryptionType"),
            "encryptionConfiguration.encryptionType", EncryptionTypes);
        if (settings.String("kmsKey") is { Length: < 1 or > 2048 })
            throw EcrException.InvalidParameterAt("encryptionConfiguration.kmsKey", "Member must have length between 1 and 2048");
        if (type != DefaultEncryption)
            throw EcrException.InvalidParameter("Invalid parameter at 'encryptionConfiguration': KMS encryption is not supported by this registry; use AES256.");
        if (settings.String("kmsKey") is not null)
            throw EcrException.InvalidParameter("Invalid parameter at 'encryptionConfiguration': a kmsKey can only be given with KMS encryption.");
    }

    /// <summary>tags: a list of {Key, Value} strings. Accepted and not stored (ECR's tags are for IAM and billing, which are not here).</summary>
    private static void CheckTags(JsonArray? tags)
    {
        if (tags is null) return;
        foreach (var (tag, i) in tags.Select((t, i) => (t, i)))
        {
            if (tag is not JsonObject pair) throw EcrRequest.Serialization("'tags' must be a list of structures.");
            var entry = new EcrRequest(pair);
            if (entry.String("Key") is not { Length: > 0 })
                throw new EcrException("InvalidTagParameterException", $"Invalid parameter at 'tags.{i + 1}.member.Key': a tag needs a key.");
            _ = entry.String("Value");
        }
    }

    private static string? Enum(string? value, string path, string[] allowed) =>
        value is null || allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new EcrException("ValidationException",
                $"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");

    private static bool? Bool(JsonObject? parent, string name, string path) => parent?[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw EcrRequest.Serialization($"'{path}' must be a boolean."),
    };
}
