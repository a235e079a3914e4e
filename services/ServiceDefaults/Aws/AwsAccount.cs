using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ImageScanning.ServiceDefaults.Aws;

/// <summary>
/// The account and region of <see cref="AwsOptions"/>, and every ARN built from them, so ECR, Inspector2, the REST API and the
/// EventBridge envelopes name the same repository, image and finding the same way.
/// </summary>
public sealed partial class AwsAccount
{
    public const string Partition = "aws";

    private readonly Dictionary<string, string> _registryIds;

    public AwsAccount(IOptions<AwsOptions> options) : this(options.Value) { }

    public AwsAccount(AwsOptions options)
    {
        AccountId = options.AccountId;
        Region = options.Region;
        _registryIds = options.Registries.Where(r => r.Registry.Length > 0)
            .GroupBy(r => r.Registry, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().RegistryId, StringComparer.Ordinal);
    }

    public string AccountId { get; }
    public string Region { get; }

    /// <summary>The 12-digit id a configured registry goes by: its own from <c>Aws:Registries</c>, else the account's.</summary>
    public string RegistryIdOf(string registry) => _registryIds.TryGetValue(registry, out var id) ? id : AccountId;

    public string RepositoryArn(string registry, string repository) =>
        $"arn:{Partition}:ecr:{Region}:{RegistryIdOf(registry)}:repository/{repository}";

    /// <summary>arn:aws:ecr:region:registry:repository/name/sha256:… (Inspector's resource id of an image).</summary>
    public string ImageArn(string registry, string repository, string digest) => RepositoryArn(registry, repository) + "/" + digest;

    public string FindingArn(string id) => $"arn:{Partition}:inspector2:{Region}:{AccountId}:finding/{id}";

    public string FilterArn(string id) => $"arn:{Partition}:inspector2:{Region}:{AccountId}:owner/{AccountId}/filter/{id}";

    public static bool IsAccountId(string value) => AccountIdPattern().IsMatch(value);

    public static bool IsRegion(string value) => RegionPattern().IsMatch(value);

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();
}
