using System.Text.Json.Serialization;
using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// One finding of one image: a vulnerability in one package (name, version, path). Rows are never deleted: a closed
/// finding stays as history, and a finding that comes back within the reopen window reuses its row and id.
/// </summary>
public sealed record FindingRecord(
    string Id,
    string Arn,
    ImageRef Image,
    ScanType ScanType,
    VulnerabilityFinding Finding,
    FindingStatus Status,
    FixAvailable FixAvailable,
    string? SuppressedBy,
    DateTimeOffset FirstObservedAt,
    DateTimeOffset LastObservedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt)
{
    [JsonIgnore]
    public string ImageKey => KeyOf(Image);

    [JsonIgnore]
    public string FindingKey => KeyOf(Finding);

    [JsonIgnore]
    public bool IsOpen => Status != FindingStatus.CLOSED;

    public static string KeyOf(ImageRef image) => $"{image.Registry}/{image.Repository}@{image.Digest}";

    /// <summary>What makes a finding the same finding across scans of the image.</summary>
    public static string KeyOf(VulnerabilityFinding f) => $"{f.VulnerabilityId}|{f.Package.Name}|{f.Package.Version}|{f.Package.FilePath}";

    public FindingDetail ToDetail() =>
        new(Arn, Status, FixAvailable, Image, ScanType, Finding, SuppressedBy, FirstObservedAt, LastObservedAt, UpdatedAt, ClosedAt);

    public FindingChanged ToEvent(FindingChangeKind change) =>
        new(Arn, change, Status, Image, ScanType, Finding, FixAvailable, FirstObservedAt, LastObservedAt, UpdatedAt);

    /// <summary>Orders severities for sorting (UNDEFINED and UNTRIAGED lowest).</summary>
    public static int SeverityRank(FindingSeverity severity) => severity switch
    {
        FindingSeverity.CRITICAL => 5,
        FindingSeverity.HIGH => 4,
        FindingSeverity.MEDIUM => 3,
        FindingSeverity.LOW => 2,
        FindingSeverity.INFORMATIONAL => 1,
        _ => 0,
    };
}

/// <summary>What the store holds per image besides its findings: a revision for optimistic concurrency and the applied scan.</summary>
/// <param name="Revision">0 when the image was never applied; each commit increments it.</param>
/// <param name="AppliedAt">The completion time of the newest scan (or expiry) applied; older ones are ignored.</param>
public sealed record ImageFindingsState(string ImageKey, long Revision, DateTimeOffset? AppliedAt, Guid? AppliedScanId, IReadOnlyList<FindingRecord> Findings);

/// <summary>The latest package inventory of an image (for SBOM export).</summary>
public sealed record ImageInventory(ImageRef Image, ScanType ScanType, OperatingSystemInfo? OperatingSystem, IReadOnlyList<PackageRecord> Packages, DateTimeOffset ScannedAt);

/// <summary>One atomic step for an image: the rows to write and the new applied point, valid only at ExpectedRevision.</summary>
public sealed record ImageFindingsCommit(
    string ImageKey, long ExpectedRevision, DateTimeOffset AppliedAt, Guid? AppliedScanId, IReadOnlyList<FindingRecord> Writes, ImageInventory? Inventory);

/// <summary>A count of findings for one group (image columns always set; Key holds the layer, package or vulnerability when grouped by it).</summary>
public sealed record FindingCountRow(
    string Registry, string Repository, string Digest, string? Key, FindingSeverity Severity, FixAvailable FixAvailable, long Count,
    string? Title = null);

/// <summary>The extra column a count is grouped by, besides the image, severity and fixAvailable.</summary>
public enum FindingCountKey { None, LayerHash, PackageName, VulnerabilityId }
