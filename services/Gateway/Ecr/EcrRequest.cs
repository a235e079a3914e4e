using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageScanning.Gateway.Aws;

namespace ImageScanning.Gateway.Ecr;

/// <summary>
/// An ECR request body with ECR's checks: a member of the wrong JSON type is a SerializationException, a missing required
/// member a ValidationException, a value outside its constraints an InvalidParameterException (INTERFACES §1.2).
/// </summary>
public sealed partial class EcrRequest(JsonObject body) : AwsJsonBody(body)
{
    public static EcrRequest Parse(ReadOnlySpan<byte> json) => new(ParseObject(json, Serialization));

    protected override AwsApiException TypeError(string message) => Serialization(message);

    public string? RegistryId => String("registryId");

    /// <summary>The required repositoryName, checked against ECR's length and pattern.</summary>
    public string RepositoryName() => CheckRepositoryName(String("repositoryName") ?? throw EcrException.MissingMember("repositoryName"), "repositoryName");

    public static string CheckRepositoryName(string name, string path)
    {
        if (name.Length is < 2 or > 256)
            throw EcrException.InvalidParameterAt(path, "Member must have length between 2 and 256");
        if (!RepositoryNamePattern().IsMatch(name))
            throw EcrException.InvalidParameterAt(path, $"must satisfy regular expression '{RepositoryNameRegex}'");
        return name;
    }

    /// <summary>An ImageIdentifier: imageDigest and/or imageTag (1–300 characters); at least one.</summary>
    public static (string? Digest, string? Tag) ImageIdentifier(JsonObject? id, string path)
    {
        if (id is null) throw EcrException.MissingMember(path);
        var identifier = new EcrRequest(id);
        var digest = identifier.String("imageDigest");
        var tag = identifier.String("imageTag");
        if (string.IsNullOrEmpty(digest) && string.IsNullOrEmpty(tag))
            throw EcrException.InvalidParameter($"Invalid parameter at '{path}': an image identifier needs an imageDigest or an imageTag.");
        if (tag is { Length: > 300 })
            throw EcrException.InvalidParameterAt(path + ".imageTag", "Member must have length less than or equal to 300");
        if (digest is not null && !DigestPattern().IsMatch(digest))
            throw EcrException.InvalidParameter($"Invalid parameter at '{path}.imageDigest': '{digest}' is not a valid image digest.");
        return (string.IsNullOrEmpty(digest) ? null : digest, string.IsNullOrEmpty(tag) ? null : tag);
    }

    /// <summary>maxResults within [1, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public int MaxResults(int max, int fallback)
    {
        var value = Int("maxResults");
        if (value is null) return fallback;
        if (value < 1 || value > max)
            throw EcrException.InvalidParameterAt("maxResults", $"Member must have value between 1 and {max}");
        return value.Value;
    }

    public static EcrException Serialization(string message) => new("SerializationException", message);

    private const string RepositoryNameRegex = @"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";

    // INTERFACES §1.1: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$")]
    private static partial Regex DigestPattern();
}
