namespace ImageScanning.Gateway.Ecr;

/// <summary>One access key the ECR-compatible API accepts (configuration <c>Ecr:AccessKeys:N</c>).</summary>
public sealed class EcrAccessKey
{
    public string AccessKeyId { get; set; } = "";

    /// <summary>Never logged, never echoed.</summary>
    public string SecretAccessKey { get; set; } = "";

    /// <summary>
    /// <c>read</c> (Describe*, Get*, BatchGet*, List*) and/or <c>write</c> (Put*, StartImageScan, Create/DeleteRepository). Unset: both, as before scopes.
    /// </summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>An extra ECR registry id naming one configured registry (configuration <c>Ecr:Registries:N</c>).</summary>
public sealed class EcrRegistryMapping
{
    public string RegistryId { get; set; } = "";
    public string Registry { get; set; } = "";
}

/// <summary>
/// Settings of the ECR-compatible API (section <c>Ecr</c>). <see cref="AccountId"/> is the default registry id: a request
/// without <c>registryId</c>, or with this one, addresses <see cref="DefaultRegistry"/> (the first configured registry
/// when unset). <see cref="Registries"/> gives other configured registries their own 12-digit ids.
/// </summary>
public sealed class EcrOptions
{
    public const string Section = "Ecr";

    public string Region { get; set; } = "us-east-1";
    public string AccountId { get; set; } = "000000000000";
    public string? DefaultRegistry { get; set; }
    public List<EcrRegistryMapping> Registries { get; set; } = [];
    public List<EcrAccessKey> AccessKeys { get; set; } = [];

    /// <summary>How far a request's X-Amz-Date may be from our clock (AWS: 5 minutes).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
