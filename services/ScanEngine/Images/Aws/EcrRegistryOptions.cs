using System.Text.RegularExpressions;

namespace ImageScanning.ScanEngine.Images.Aws;

/// <summary>
/// A registry that is an Amazon ECR private registry (<c>Registries:N:Ecr</c>): its account and region (EventBridge events of
/// any other account or region are refused), and the access key the scanners sign ECR's GetAuthorizationToken with. The API host
/// is derived from <see cref="Region"/> alone (<c>api.ecr.REGION.amazonaws.com</c>), never from an event or a registry answer.
/// </summary>
public sealed partial class EcrRegistryOptions
{
    public string AccountId { get; set; } = "";

    public string Region { get; set; } = "";

    /// <summary>The IAM access key id; empty: no token is fetched (the registry's Username/Password, if any, are used as they are).</summary>
    public string AccessKeyId { get; set; } = "";

    /// <summary>Never logged, never echoed; give it through the environment or a secret store, as Passwords are.</summary>
    public string SecretAccessKey { get; set; } = "";

    /// <summary>
    /// The ECR API's base URL instead of the regional one (a VPC endpoint, or a local stand-in in tests). Configured only: the one
    /// host the token request may reach.
    /// </summary>
    public string? ApiUrl { get; set; }

    public bool FetchesTokens => AccessKeyId.Length > 0;

    /// <summary>Where GetAuthorizationToken is posted: the configured <see cref="ApiUrl"/>, else the region's endpoint.</summary>
    public Uri ApiEndpoint() => new(string.IsNullOrEmpty(ApiUrl) ? $"https://api.ecr.{Region}.amazonaws.com/" : ApiUrl);

    /// <summary>What is wrong with these settings of registry <paramref name="registry"/>, or null.</summary>
    public string? Problem(string registry) =>
        !AccountIdPattern().IsMatch(AccountId) ? $"Registry '{registry}' has Ecr:AccountId '{AccountId}', which is not a 12-digit AWS account id."
        : !RegionPattern().IsMatch(Region) ? $"Registry '{registry}' has Ecr:Region '{Region}', which is not an AWS region name."
        : FetchesTokens && SecretAccessKey.Length == 0 ? $"Registry '{registry}' has an Ecr:AccessKeyId but no Ecr:SecretAccessKey."
        : ApiUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.UserInfo.Length == 0)
            ? $"Registry '{registry}' has Ecr:ApiUrl '{url}', which is not an absolute http or https URL without credentials."
        : null;

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    private static partial Regex RegionPattern();
}
