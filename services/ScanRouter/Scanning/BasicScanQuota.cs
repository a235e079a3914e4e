namespace ImageScanning.ScanRouter.Scanning;

/// <summary>
/// Basic scanning's per-image quota (StartImageScan model doc; INTERFACES §1.1, §1.4): an image
/// (registry + repository + digest) gets one basic scan per 24 hours, and the scan on push counts.
/// Pure logic; the atomic reservation is <c>IImageCatalogStore.TryReserveBasicScanAsync</c>, which applies
/// the same window.
/// </summary>
public static class BasicScanQuota
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>ECR's message, as captured by getmoto/moto <c>moto/ecr/exceptions.py</c> and seen in real-world logs.</summary>
    public const string ExceededMessage = "The scan quota per image has been exceeded. Wait and try again.";

    public static ScanningError Exceeded { get; } = new(ScanningError.LimitExceeded, ExceededMessage);

    /// <summary>True when no basic scan ran in the 24 h before <paramref name="now"/> (exactly 24 h later is allowed again).
    /// A last scan time in the future (clock skew) counts as inside the window.</summary>
    public static bool CanScan(DateTimeOffset? lastBasicScanAt, DateTimeOffset now) =>
        lastBasicScanAt is not { } last || now - last >= Window;

    /// <summary>When the next basic scan becomes possible; null when it is possible now.</summary>
    public static DateTimeOffset? NextAllowedAt(DateTimeOffset? lastBasicScanAt, DateTimeOffset now) =>
        CanScan(lastBasicScanAt, now) ? null : lastBasicScanAt!.Value + Window;

    /// <summary>For a manual StartImageScan: null when allowed, else ECR's LimitExceededException.</summary>
    public static ScanningError? CheckManualScan(DateTimeOffset? lastBasicScanAt, DateTimeOffset now) =>
        CanScan(lastBasicScanAt, now) ? null : Exceeded;
}
