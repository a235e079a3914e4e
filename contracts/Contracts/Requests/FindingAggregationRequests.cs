namespace ImageScanning.Contracts;

#pragma warning disable CA1707
/// <summary>The container-image aggregations of Inspector's ListFindingAggregations (INTERFACES §2.4).</summary>
public enum FindingAggregationType { REPOSITORY, AWS_ECR_CONTAINER, IMAGE_LAYER, PACKAGE, TITLE }

public enum AggregationSortBy { CRITICAL, HIGH, ALL, AFFECTED_IMAGES }

#pragma warning restore CA1707

/// <summary>
/// What an <see cref="AggregationCriterion"/> compares: a member of the aggregated groups (Title only in title mode); Image is
/// "registry/repository@digest" (one image whatever its repository's name).
/// </summary>
public enum AggregationField { Registry, Repository, ImageDigest, Image, LayerHash, PackageName, VulnerabilityId, Title }

/// <summary>
/// One of Inspector's StringFilters on an aggregation member. Criteria of one field combine as Inspector's do: the EQUALS values
/// match any of them, the PREFIX values any of them, a NOT_EQUALS value excludes; criteria of different fields combine with AND.
/// </summary>
public sealed record AggregationCriterion(AggregationField Field, StringFilterComparison Comparison, string Value);

/// <summary>Counts of findings by severity; Inspector has no LOW or INFORMATIONAL count, so All includes them.</summary>
public sealed record SeverityCounts(long All, long Medium, long High, long Critical);

/// <summary>
/// One aggregation bucket. Which members are set depends on the type: REPOSITORY (Repository, AffectedImages),
/// AWS_ECR_CONTAINER (Repository, ImageDigest), IMAGE_LAYER (Repository, ImageDigest, LayerHash), PACKAGE (PackageName),
/// TITLE (VulnerabilityId, and Title when the request asked for finding titles).
/// </summary>
public sealed record FindingAggregationBucket(
    string? Registry, string? Repository, string? ImageDigest, string? LayerHash, string? PackageName, string? VulnerabilityId,
    SeverityCounts SeverityCounts, long? AffectedImages, string? Title = null);

/// <summary>
/// Aggregates the findings the filter selects (ACTIVE only when it names no status) and the Criteria admit (members the groups of
/// the type carry: Registry, Repository, ImageDigest always; LayerHash for IMAGE_LAYER, PackageName for PACKAGE, VulnerabilityId
/// and Title for TITLE). ByFindingTitle: TITLE groups per finding title ("CVE-… - package", Inspector's titleAggregation) rather
/// than per vulnerability id (the REST API's and the console's vulnerability list).
/// </summary>
public sealed record ListFindingAggregations(
    FindingAggregationType AggregationType, FindingFilter Filter, AggregationSortBy SortBy, SortOrder SortOrder, int MaxResults, string? NextToken,
    IReadOnlyList<AggregationCriterion>? Criteria = null, bool ByFindingTitle = false);

public sealed record FindingAggregationsPage(
    FindingAggregationType AggregationType, IReadOnlyList<FindingAggregationBucket> Responses, string? NextToken, string? ErrorMessage = null);
