using ImageScanning.Contracts;

namespace ImageScanning.Findings.Data;

/// <summary>One finished scan of one image: its outcome, counts and findings. The ScanCompleted event is derived from it.</summary>
public sealed record ImageScanRecord(
    Guid ScanId,
    ImageRef Image,
    ScanType ScanType,
    ScanTrigger Trigger,
    ScanStatus Status,
    string StatusDescription,
    string? FailureReason,
    IReadOnlyDictionary<FindingSeverity, int> FindingSeverityCounts,
    IReadOnlyList<VulnerabilityFinding> Findings,
    DateTimeOffset CompletedAt,
    DateTimeOffset? VulnerabilitySourceUpdatedAt)
{
    public static string ImageKey(string registry, string repository, string digest) => $"{registry}/{repository}@{digest}";

    public string Key => ImageKey(Image.Registry, Image.Repository, Image.Digest);

    public ScanCompleted ToScanCompleted() =>
        new(ScanId, Image, ScanType, Trigger, Status, FindingSeverityCounts, FailureReason, CompletedAt);

    /// <summary>Counts per severity, only the non-zero ones (ECR's findingSeverityCounts).</summary>
    public static IReadOnlyDictionary<FindingSeverity, int> CountBySeverity(IEnumerable<VulnerabilityFinding> findings) =>
        findings.GroupBy(f => f.Severity).ToDictionary(g => g.Key, g => g.Count());
}
