namespace ImageScanning.Contracts;

/// <summary>Command to a scanner's queue: scan this image now.</summary>
public sealed record ScanImage(Guid ScanId, ImageRef Image, ScanType ScanType, ScanTrigger Trigger, DateTimeOffset RequestedAt);
