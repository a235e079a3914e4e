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

/// <summary>A suppression rule (Inspector's filter with action SUPPRESS); after ExpiresAt it no longer applies.</summary>
public sealed record SuppressionRule(
    string Id, string Name, string Reason, SuppressionFilter Filter, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Creates a rule (Id null) or replaces rule Id.</summary>
public sealed record SaveSuppressionRule(string? Id, string Name, string Reason, SuppressionFilter Filter, DateTimeOffset? ExpiresAt);

public sealed record DeleteSuppressionRule(string Id);

public sealed record ListSuppressionRules;

/// <summary>The rule(s) affected, how many findings changed status, or why the request failed (NotFound / ErrorMessage).</summary>
public sealed record SuppressionRulesResult(
    IReadOnlyList<SuppressionRule> Rules, int FindingsChanged = 0, bool NotFound = false, string? ErrorMessage = null);
