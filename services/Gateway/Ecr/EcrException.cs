using ImageScanning.Gateway.Aws;

namespace ImageScanning.Gateway.Ecr;

/// <summary>An ECR error: the wire <c>__type</c>, its <c>message</c> and the HTTP status AWS answers with.</summary>
public sealed class EcrException(string type, string message, int status = StatusCodes.Status400BadRequest) : AwsApiException(type, message, status)
{
    public static EcrException InvalidParameter(string message) => new("InvalidParameterException", message);

    /// <summary>ECR's constraint wording, as captured from real AWS by emulators (INTERFACES §1.2).</summary>
    public static EcrException InvalidParameterAt(string parameter, string constraint) =>
        InvalidParameter($"Invalid parameter at '{parameter}' failed to satisfy constraint: '{constraint}'");

    /// <summary>The AWS (Coral) wording for a missing required member.</summary>
    public static EcrException MissingMember(string path) =>
        new("ValidationException", $"1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null");

    public static EcrException RepositoryNotFound(string repository, string registryId) =>
        new("RepositoryNotFoundException",
            $"The repository with name '{repository}' does not exist in the registry with id '{registryId}'");

    public static EcrException ImageNotFound(string repository, string registryId, string? digest, string? tag) =>
        new("ImageNotFoundException",
            $"The image with imageId {{imageDigest:'{digest ?? "null"}', imageTag:'{tag ?? "null"}'}} does not exist within the repository with name '{repository}' in the registry with id '{registryId}'");
}
