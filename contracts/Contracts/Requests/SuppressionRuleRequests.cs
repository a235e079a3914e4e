namespace ImageScanning.Contracts;

/// <summary>
/// Which findings a suppression rule matches; members combine with AND, lists match any value, and at least one member
/// is required. Repository is a pattern where '*' matches any characters (ECR's WILDCARD filter).
/// </summary>
public sealed record SuppressionFilter(
    IReadOnlyList<FindingSeverity>? Severities = null,
    IReadOnlyList<string>? VulnerabilityIds = null,
    IReadOnlyList<string>? PackageNames = null,
    string? Registry = null,
    string? Repository = null,
    string? ImageDigest = null,
    FixAvailable? FixAvailable = null);

/// <summary>
/// A suppression rule, which is Inspector's filter: with Action SUPPRESS it suppresses what it matches, with NONE it is a saved
/// filter that suppresses nothing; after ExpiresAt it no longer applies. It matches by Criteria (Inspector's FilterCriteria) when
/// set, else by Filter (the REST API's form; rules stored before Criteria existed).
/// </summary>
public sealed record SuppressionRule(
    string Id, string Name, string Reason, SuppressionFilter? Filter, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    FindingCriteria? Criteria = null, FilterAction Action = FilterAction.SUPPRESS, string? Description = null,
    IReadOnlyDictionary<string, string>? Tags = null);

/// <summary>Creates a rule (Id null) or replaces rule Id. One of Filter and Criteria (Inspector's CreateFilter/UpdateFilter).</summary>
public sealed record SaveSuppressionRule(
    string? Id, string Name, string Reason, SuppressionFilter? Filter, DateTimeOffset? ExpiresAt,
    FindingCriteria? Criteria = null, FilterAction Action = FilterAction.SUPPRESS, string? Description = null,
    IReadOnlyDictionary<string, string>? Tags = null);

public sealed record DeleteSuppressionRule(string Id);

public sealed record ListSuppressionRules;

/// <summary>The rule(s) affected, how many findings changed status, or why the request failed (NotFound / ErrorMessage).</summary>
public sealed record SuppressionRulesResult(
    IReadOnlyList<SuppressionRule> Rules, int FindingsChanged = 0, bool NotFound = false, string? ErrorMessage = null);
