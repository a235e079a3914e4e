namespace ImageScanning.Contracts;

public sealed record GetImageFindings(string Registry, string Repository, string Digest);

public sealed record ImageFindingsResult(
    bool Found,
    ImageRef? Image,
    ScanType? ScanType,
    ScanStatus? Status,
    string? StatusDescription,
    DateTimeOffset? ScanCompletedAt,
    IReadOnlyDictionary<FindingSeverity, int> FindingSeverityCounts,
    IReadOnlyList<VulnerabilityFinding> Findings,
    DateTimeOffset? VulnerabilitySourceUpdatedAt = null);

/// <summary>ScanCompleted events Findings emitted, newest first, rendered as EventBridge envelopes.</summary>
public sealed record ListScanCompletedEvents(DateTimeOffset? Since, int Limit);

public sealed record ScanCompletedEventsResult(IReadOnlyList<string> EventBridgeEnvelopes);
