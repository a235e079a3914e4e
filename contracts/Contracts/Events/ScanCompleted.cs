namespace ImageScanning.Contracts;

/// <summary>
/// Published by Findings after the scan's findings are stored. Its external JSON form is the
/// EventBridge "ECR Image Scan" envelope (BASIC) or "Inspector2 Scan" (ENHANCED).
/// </summary>
public sealed record ScanCompleted(
    Guid ScanId,
    ImageRef Image,
    ScanType ScanType,
    ScanTrigger Trigger,
    ScanStatus Status,
    IReadOnlyDictionary<FindingSeverity, int> FindingSeverityCounts,
    string? FailureReason,
    DateTimeOffset CompletedAt,
    IReadOnlyList<ScanFindingSummary>? Findings = null);

/// <summary>One vulnerability named in a ScanCompleted, so subscribers see what was found, not only counts.</summary>
public sealed record ScanFindingSummary(
    string VulnerabilityId, FindingSeverity Severity, string PackageName, string PackageVersion, string? FixedInVersion);
