namespace ImageScanning.Contracts;

/// <summary>
/// A scanner finished an image: its inventory and its findings. <paramref name="InventoryUnchanged"/> is true for a re-scan that
/// re-matched the inventory stored at the image's last full scan (it pulled nothing): then Packages is empty, and every consumer
/// keeps the inventory it already holds. A re-match would otherwise repeat hundreds of packages per image in every fan-out message.
/// The findings are always complete. <paramref name="Warnings"/> names the files the scan did not read and why (a nested archive
/// over a limit, executables over the sniffed size): their packages, if any, are missing; null or empty when every wanted file was read.
/// </summary>
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
    DateTimeOffset CompletedAt,
    bool InventoryUnchanged = false,
    IReadOnlyList<ScanWarningRecord>? Warnings = null);

/// <summary>A file of the image a scan did not read, and why.</summary>
public sealed record ScanWarningRecord(string Path, string Reason);

/// <summary>
/// A re-scan for new advisories (trigger RESCAN) finished. Its own message type, so the consumers' re-scan lanes subscribe to re-scan
/// results and nothing else, and push results never queue behind a fan-out's.
/// </summary>
public sealed record ImageRescanned(ImageScanned Scan);

/// <summary>A scanner could not scan an image; Reason says why in terms a user can act on.</summary>
public sealed record ImageScanFailed(
    Guid ScanId, ImageRef Image, ScanType ScanType, ScanTrigger Trigger, ScanFailureReason Reason, string Message, DateTimeOffset FailedAt);
