namespace ImageScanning.Contracts;

/// <summary>Inspector's finding status.</summary>
#pragma warning disable CA1707
public enum FindingStatus { ACTIVE, SUPPRESSED, CLOSED }

/// <summary>What happened to a finding (the "Inspector2 Finding" event's reason).</summary>
public enum FindingChangeKind { CREATED, UPDATED, CLOSED }

/// <summary>Inspector's fixAvailable.</summary>
public enum FixAvailable { YES, NO, PARTIAL }
#pragma warning restore CA1707

/// <summary>
/// Published by Findings when a finding of an image was created, updated (severity, status, suppression, fix) or closed.
/// FindingArn is stable across the finding's life (a finding that reopens within 7 days keeps it).
/// </summary>
public sealed record FindingChanged(
    string FindingArn,
    FindingChangeKind Change,
    FindingStatus Status,
    ImageRef Image,
    ScanType ScanType,
    VulnerabilityFinding Finding,
    FixAvailable FixAvailable,
    DateTimeOffset FirstObservedAt,
    DateTimeOffset LastObservedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Published by Findings when a scan ended without findings (FAILED, UNSUPPORTED_IMAGE, ...), after the status is stored.</summary>
public sealed record ScanFailed(Guid ScanId, ImageRef Image, ScanType ScanType, ScanTrigger Trigger, ScanStatus Status, string Reason, DateTimeOffset FailedAt);

/// <summary>
/// Published by ScanRouter when an image left its re-scan window (rescanDuration / pullDateRescanDuration): it is no longer
/// re-scanned, its status becomes SCAN_ELIGIBILITY_EXPIRED, and Findings closes its open findings.
/// </summary>
public sealed record ScanEligibilityExpired(ImageRef Image, DateTimeOffset ExpiredAt);
