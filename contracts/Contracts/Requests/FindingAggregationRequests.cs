namespace ImageScanning.Contracts;

#pragma warning disable CA1707
/// <summary>The container-image aggregations of Inspector's ListFindingAggregations (INTERFACES §2.4).</summary>
public enum FindingAggregationType { REPOSITORY, AWS_ECR_CONTAINER, IMAGE_LAYER, PACKAGE, TITLE }

public enum AggregationSortBy { CRITICAL, HIGH, ALL, AFFECTED_IMAGES }
#pragma warning restore CA1707

/// <summary>Counts of findings by severity; Inspector has no LOW or INFORMATIONAL count, so All includes them.</summary>
public sealed record SeverityCounts(long All, long Medium, long High, long Critical);

/// <summary>
/// One aggregation bucket. Which members are set depends on the type: REPOSITORY (Repository, AffectedImages),
/// AWS_ECR_CONTAINER (Repository, ImageDigest), IMAGE_LAYER (Repository, ImageDigest, LayerHash), PACKAGE (PackageName),
/// TITLE (VulnerabilityId).
/// </summary>
public sealed record FindingAggregationBucket(
    string? Registry, string? Repository, string? ImageDigest, string? LayerHash, string? PackageName, string? VulnerabilityId,
    SeverityCounts SeverityCounts, long? AffectedImages);

/// <summary>Aggregates the findings the filter selects (ACTIVE only when it names no status).</summary>
public sealed record ListFindingAggregations(
    FindingAggregationType AggregationType, FindingFilter Filter, AggregationSortBy SortBy, SortOrder SortOrder, int MaxResults, string? NextToken);

public sealed record FindingAggregationsPage(
    FindingAggregationType AggregationType, IReadOnlyList<FindingAggregationBucket> Responses, string? NextToken, string? ErrorMessage = null);
