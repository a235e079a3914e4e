namespace ImageScanning.Contracts;

#pragma warning disable CA1707
/// <summary>Inspector's StringComparison.</summary>
public enum StringFilterComparison { EQUALS, PREFIX, NOT_EQUALS }

/// <summary>Inspector's FilterAction: SUPPRESS hides what the filter matches, NONE only saves the filter.</summary>
public enum FilterAction { NONE, SUPPRESS }
#pragma warning restore CA1707

/// <summary>Inspector's StringFilter.</summary>
public sealed record StringFilter(StringFilterComparison Comparison, string Value);

/// <summary>Inspector's DateFilter: an inclusive range; an absent end is open.</summary>
public sealed record DateFilter(DateTimeOffset? StartInclusive = null, DateTimeOffset? EndInclusive = null);

/// <summary>Inspector's NumberFilter: an inclusive range; an absent end is open.</summary>
public sealed record NumberFilter(double? LowerInclusive = null, double? UpperInclusive = null);

/// <summary>Inspector's MapFilter (comparison is always EQUALS in the model).</summary>
public sealed record MapFilter(string Comparison, string Key, string? Value = null);

/// <summary>Inspector's PortRangeFilter.</summary>
public sealed record PortRangeFilter(int? BeginInclusive = null, int? EndInclusive = null);

/// <summary>Inspector's PackageFilter: every member it names must hold for one vulnerable package.</summary>
public sealed record PackageFilter(
    StringFilter? Name = null, StringFilter? Version = null, NumberFilter? Epoch = null, StringFilter? Release = null,
    StringFilter? Architecture = null, StringFilter? SourceLayerHash = null, StringFilter? SourceLambdaLayerArn = null,
    StringFilter? FilePath = null);

/// <summary>
/// Inspector's FilterCriteria, every member of the botocore model (camelCase on the wire is the member name here). Members AND
/// together; within one member EQUALS and PREFIX filters OR together and NOT_EQUALS filters AND together. Members about EC2,
/// Lambda, code repositories and networks name attributes a container-image finding does not have: their EQUALS/PREFIX (and
/// range) filters never match and NOT_EQUALS always does. Findings' FindingCriteriaMatcher is the one place that decides.
/// </summary>
public sealed record FindingCriteria(
    IReadOnlyList<StringFilter>? FindingArn = null,
    IReadOnlyList<StringFilter>? AwsAccountId = null,
    IReadOnlyList<StringFilter>? FindingType = null,
    IReadOnlyList<StringFilter>? Severity = null,
    IReadOnlyList<DateFilter>? FirstObservedAt = null,
    IReadOnlyList<DateFilter>? LastObservedAt = null,
    IReadOnlyList<DateFilter>? UpdatedAt = null,
    IReadOnlyList<StringFilter>? FindingStatus = null,
    IReadOnlyList<StringFilter>? Title = null,
    IReadOnlyList<NumberFilter>? InspectorScore = null,
    IReadOnlyList<StringFilter>? ResourceType = null,
    IReadOnlyList<StringFilter>? ResourceId = null,
    IReadOnlyList<MapFilter>? ResourceTags = null,
    IReadOnlyList<StringFilter>? Ec2InstanceImageId = null,
    IReadOnlyList<StringFilter>? Ec2InstanceVpcId = null,
    IReadOnlyList<StringFilter>? Ec2InstanceSubnetId = null,
    IReadOnlyList<DateFilter>? EcrImagePushedAt = null,
    IReadOnlyList<StringFilter>? EcrImageArchitecture = null,
    IReadOnlyList<StringFilter>? EcrImageRegistry = null,
    IReadOnlyList<StringFilter>? EcrImageRepositoryName = null,
    IReadOnlyList<StringFilter>? EcrImageTags = null,
    IReadOnlyList<StringFilter>? EcrImageHash = null,
    IReadOnlyList<DateFilter>? EcrImageLastInUseAt = null,
    IReadOnlyList<NumberFilter>? EcrImageInUseCount = null,
    IReadOnlyList<PortRangeFilter>? PortRange = null,
    IReadOnlyList<StringFilter>? NetworkProtocol = null,
    IReadOnlyList<StringFilter>? ComponentId = null,
    IReadOnlyList<StringFilter>? ComponentType = null,
    IReadOnlyList<StringFilter>? VulnerabilityId = null,
    IReadOnlyList<StringFilter>? VulnerabilitySource = null,
    IReadOnlyList<StringFilter>? VendorSeverity = null,
    IReadOnlyList<PackageFilter>? VulnerablePackages = null,
    IReadOnlyList<StringFilter>? RelatedVulnerabilities = null,
    IReadOnlyList<StringFilter>? FixAvailable = null,
    IReadOnlyList<StringFilter>? LambdaFunctionName = null,
    IReadOnlyList<StringFilter>? LambdaFunctionLayers = null,
    IReadOnlyList<StringFilter>? LambdaFunctionRuntime = null,
    IReadOnlyList<DateFilter>? LambdaFunctionLastModifiedAt = null,
    IReadOnlyList<StringFilter>? LambdaFunctionExecutionRoleArn = null,
    IReadOnlyList<StringFilter>? ExploitAvailable = null,
    IReadOnlyList<StringFilter>? CodeVulnerabilityDetectorName = null,
    IReadOnlyList<StringFilter>? CodeVulnerabilityDetectorTags = null,
    IReadOnlyList<StringFilter>? CodeVulnerabilityFilePath = null,
    IReadOnlyList<NumberFilter>? EpssScore = null,
    IReadOnlyList<StringFilter>? CodeRepositoryProjectName = null,
    IReadOnlyList<StringFilter>? CodeRepositoryProviderType = null);
