namespace ImageScanning.Contracts;

#pragma warning disable CA1707
/// <summary>Inspector's ListFindings sort fields that the findings store can order by.</summary>
/// <remarks>FINDING_ARN orders by the stable finding id (what Inspector's fields that are the same for every finding here sort by).</remarks>
public enum FindingSortField
{
    SEVERITY, LAST_OBSERVED_AT, FIRST_OBSERVED_AT, UPDATED_AT, VULNERABILITY_ID, ECR_IMAGE_REPOSITORY_NAME, PACKAGE_NAME,
    FINDING_STATUS, ECR_IMAGE_REGISTRY, FINDING_ARN,
}

public enum SortOrder { ASC, DESC }
#pragma warning restore CA1707

/// <summary>
/// Which findings to select; every member is optional and members combine with AND. Repository accepts a trailing
/// '*' for a prefix match. Lists match any of their values (Repositories and ImageDigests: exact names, any of them).
/// </summary>
public sealed record FindingFilter(
    IReadOnlyList<FindingSeverity>? Severities = null,
    IReadOnlyList<FindingStatus>? Statuses = null,
    string? VulnerabilityId = null,
    string? PackageName = null,
    string? Registry = null,
    string? Repository = null,
    string? ImageDigest = null,
    FixAvailable? FixAvailable = null,
    string? LayerHash = null,
    IReadOnlyList<string>? Repositories = null,
    IReadOnlyList<string>? ImageDigests = null);

/// <summary>One finding with its lifecycle, as Findings stores it.</summary>
public sealed record FindingDetail(
    string FindingArn,
    FindingStatus Status,
    FixAvailable FixAvailable,
    ImageRef Image,
    ScanType ScanType,
    VulnerabilityFinding Finding,
    string? SuppressedByRuleId,
    DateTimeOffset FirstObservedAt,
    DateTimeOffset LastObservedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt);

/// <summary>
/// ListFindings: a keyset page (NextToken from the previous page; MaxResults 1–1000: ECR pages up to 1000, the REST API up to 100).
/// Criteria (Inspector's FilterCriteria, optional) applies on top of Filter: a page then holds only findings that match both.
/// </summary>
public sealed record ListFindings(
    FindingFilter Filter, FindingSortField SortBy, SortOrder SortOrder, int MaxResults, string? NextToken, FindingCriteria? Criteria = null);

/// <summary>The findings with these ARNs (BatchGetFindingDetails); ARNs the store does not hold are absent from the answer.</summary>
public sealed record GetFindingsByArn(IReadOnlyList<string> FindingArns);

public sealed record FindingsByArn(IReadOnlyList<FindingDetail> Findings);

/// <summary>A page of findings, or the reason the request was invalid (ErrorMessage set, nothing else).</summary>
public sealed record FindingsPage(IReadOnlyList<FindingDetail> Findings, string? NextToken, string? ErrorMessage = null);
