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
    IReadOnlyList<VulnerabilityFinding> Findings);
