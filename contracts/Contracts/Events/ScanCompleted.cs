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
    DateTimeOffset CompletedAt);

/// <summary>A finding of an image was created, updated or closed.</summary>
public sealed record FindingChanged(ImageRef Image, string VulnerabilityId, string PackageName, string Change, FindingSeverity Severity, DateTimeOffset ChangedAt);
