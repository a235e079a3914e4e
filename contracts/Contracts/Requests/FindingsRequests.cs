namespace ImageScanning.Contracts;

public sealed record GetImageFindings(string Registry, string Repository, string Digest);

/// <param name="OperatingSystem">The OS of the image's last inventory, with its release's end of life; null when none is kept.</param>
public sealed record ImageFindingsResult(
    bool Found,
    ImageRef? Image,
    ScanType? ScanType,
    ScanStatus? Status,
    string? StatusDescription,
    DateTimeOffset? ScanCompletedAt,
    IReadOnlyDictionary<FindingSeverity, int> FindingSeverityCounts,
    IReadOnlyList<VulnerabilityFinding> Findings,
    DateTimeOffset? VulnerabilitySourceUpdatedAt = null,
    OperatingSystemInfo? OperatingSystem = null);

/// <summary>ScanCompleted events Findings emitted, newest first, rendered as EventBridge envelopes.</summary>
public sealed record ListScanCompletedEvents(DateTimeOffset? Since, int Limit);

public sealed record ScanCompletedEventsResult(IReadOnlyList<string> EventBridgeEnvelopes);
