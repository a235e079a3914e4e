using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// What Inspector's filter criteria can ask about one finding. A finding being stored is matched before it has an ARN (null: a
/// findingArn EQUALS never holds for it); its status is then the one it would have without suppression, ACTIVE.
/// </summary>
public sealed record CriteriaSubject(
    string? FindingArn, ImageRef Image, VulnerabilityFinding Finding, FindingStatus Status, FixAvailable FixAvailable,
    DateTimeOffset FirstObservedAt, DateTimeOffset LastObservedAt, DateTimeOffset UpdatedAt)
{
    public static CriteriaSubject Of(FindingRecord f) =>
        new(f.Arn, f.Image, f.Finding, f.Status, f.FixAvailable, f.FirstObservedAt, f.LastObservedAt, f.UpdatedAt);

    public static CriteriaSubject Of(FindingDetail f) =>
        new(f.FindingArn, f.Image, f.Finding, f.Status, f.FixAvailable, f.FirstObservedAt, f.LastObservedAt, f.UpdatedAt);
}
