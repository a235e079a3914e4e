namespace ImageScanning.ServiceDefaults.Aws;

/// <summary>One access key the AWS-compatible APIs (ECR, Inspector2) accept (<c>Aws:AccessKeys:N</c>).</summary>
public sealed class AwsAccessKey
{
    public string AccessKeyId { get; set; } = "";

    /// <summary>Never logged, never echoed.</summary>
    public string SecretAccessKey { get; set; } = "";

    /// <summary>
    /// <c>read</c> (Describe*, Get*, BatchGet*, List*, Search*) and/or <c>write</c> (the rest). Unset: both, as before scopes.
    /// </summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>An extra 12-digit registry id naming one configured registry (<c>Aws:Registries:N</c>).</summary>
public sealed class AwsRegistryMapping
{
    public string RegistryId { get; set; } = "";
    public string Registry { get; set; } = "";
}

/// <summary>
/// The platform's one AWS identity (section <c>Aws</c>): the account id and region every ARN, EventBridge envelope, ECR and
/// Inspector2 answer carries, and what AWS clients sign with. <see cref="AccountId"/> is also the registry id of
/// <see cref="DefaultRegistry"/> (the first configured registry when unset); <see cref="Registries"/> give other configured
/// registries ids of their own, as cross-account registries have in ECR.
/// </summary>
public sealed class AwsOptions
{
    public const string Section = "Aws";

    public string AccountId { get; set; } = "000000000000";
    public string Region { get; set; } = "us-east-1";
    public string? DefaultRegistry { get; set; }
    public List<AwsRegistryMapping> Registries { get; set; } = [];
    public List<AwsAccessKey> AccessKeys { get; set; } = [];

    /// <summary>How far a request's X-Amz-Date may be from our clock (AWS: 5 minutes).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem()
    {
        if (!AwsAccount.IsAccountId(AccountId)) return $"Aws:AccountId must be 12 digits, not '{AccountId}'.";
        if (!AwsAccount.IsRegion(Region)) return $"Aws:Region must be a region name such as us-west-2, not '{Region}'.";
        if (Registries.FirstOrDefault(r => !AwsAccount.IsAccountId(r.RegistryId)) is { } bad)
            return $"Aws:Registries: registry id '{bad.RegistryId}' (for '{bad.Registry}') must be 12 digits.";
        if (MaxClockSkew <= TimeSpan.Zero) return "Aws:MaxClockSkew must be positive.";
        return null;
    }
}
