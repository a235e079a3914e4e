namespace ImageScanning.Contracts;

/// <summary>A scanner finished an image: its inventory and its findings.</summary>
public sealed record ImageScanned(
    Guid ScanId,
    ImageRef Image,
    ScanType ScanType,
    ScanTrigger Trigger,
    OperatingSystemInfo? OperatingSystem,
    IReadOnlyList<PackageRecord> Packages,
    IReadOnlyList<VulnerabilityFinding> Findings,
    string ScannerVersion,
    DateTimeOffset? VulnerabilitySourceUpdatedAt,
    DateTimeOffset CompletedAt);

/// <summary>A scanner could not scan an image; Reason says why in terms a user can act on.</summary>
public sealed record ImageScanFailed(
    Guid ScanId, ImageRef Image, ScanType ScanType, ScanTrigger Trigger, ScanFailureReason Reason, string Message, DateTimeOffset FailedAt);
