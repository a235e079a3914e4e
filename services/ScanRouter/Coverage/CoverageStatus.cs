using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.ScanRouter.Coverage;

/// <summary>Inspector's coverage status of an image or repository from the catalog and the scanning rules (INTERFACES §2.2).</summary>
public static class CoverageStatus
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";

    /// <param name="today">For whether the image's OS release is past its end of life.</param>
    public static CoveredResource ForImage(ImageRecord image, RepositoryScanning scanning, DateOnly today)
    {
        var (code, reason) = ImageStatus(image, scanning);
        var lastScanned = image.ScanStatus is ScanStatus.COMPLETE or ScanStatus.ACTIVE ? image.ScanStatusAt : null;
        return new CoveredResource("AWS_ECR_CONTAINER_IMAGE", $"{image.Registry}/{image.Repository}@{image.Digest}", image.Registry, image.Repository,
            image.Digest, image.Tags, scanning.ScanType, scanning.ScanFrequency, code, reason, lastScanned, image.PushedAt, image.LastPulledAt,
            image.OsEndOfLife, image.OsEndOfLife is { } end && today > end);
    }

    /// <summary>
    /// A repository's coverage: INACTIVE with SCAN_FREQUENCY_MANUAL when no rule scans it, with SCAN_FREQUENCY_SCAN_ON_PUSH when
    /// enhanced scanning only scans at push (nothing monitors it afterwards), with NO_RESOURCES_FOUND while it holds no image
    /// (created but never pushed to); else ACTIVE.
    /// </summary>
    public static CoveredResource ForRepository(string registry, RepositoryScanning scanning, bool hasImages = true)
    {
        var (code, reason) = !scanning.ScanningEnabled || scanning.ScanFrequency == ScanFrequency.MANUAL ? (Inactive, ScanningRules.ScanFrequencyManualReason)
            : IsScanOnPushOnly(scanning) ? (Inactive, ScanOnPushReason)
            : !hasImages ? (Inactive, "NO_RESOURCES_FOUND")
            : (Active, "SUCCESSFUL");
        return new CoveredResource("AWS_ECR_REPOSITORY", $"{registry}/{scanning.RepositoryName}", registry, scanning.RepositoryName, null, [],
            scanning.ScanType, scanning.ScanFrequency, code, reason, null, null);
    }

    private const string ScanOnPushReason = "SCAN_FREQUENCY_SCAN_ON_PUSH";

    /// <summary>Enhanced scanning at push only: scanned once, never re-scanned for new CVEs (INTERFACES §2.2).</summary>
    private static bool IsScanOnPushOnly(RepositoryScanning scanning) =>
        scanning.ScanType == ScanType.ENHANCED && scanning.ScanFrequency == ScanFrequency.SCAN_ON_PUSH;

    private static (string Code, string Reason) ImageStatus(ImageRecord image, RepositoryScanning scanning)
    {
        if (ScanningRules.ImageIndexMediaTypes.Contains(image.MediaType)) return (Inactive, "UNSUPPORTED_MEDIA_TYPE");
        switch (image.ScanStatus)
        {
            case ScanStatus.SCAN_ELIGIBILITY_EXPIRED: return (Inactive, "SCAN_ELIGIBILITY_EXPIRED");
            case ScanStatus.UNSUPPORTED_IMAGE: return (Inactive, "UNSUPPORTED_OS");
            case ScanStatus.IMAGE_ARCHIVED: return (Inactive, "IMAGE_ARCHIVED");
            case ScanStatus.FAILED or ScanStatus.FINDINGS_UNAVAILABLE:
                return (Inactive, image.ScanStatusDescription?.Contains("access denied", StringComparison.OrdinalIgnoreCase) == true ? "ACCESS_DENIED" : "INTERNAL_ERROR");
        }
        // Not selected by any rule: nothing scans it on its own (manual scans aside).
        if (!scanning.ScanningEnabled || scanning.ScanFrequency == ScanFrequency.MANUAL) return (Inactive, ScanningRules.ScanFrequencyManualReason);
        return image.ScanStatus switch
        {
            ScanStatus.IN_PROGRESS => (Active, "SCAN_IN_PROGRESS"),
            // Scanned at push and not monitored for new CVEs afterwards.
            ScanStatus.COMPLETE or ScanStatus.ACTIVE when IsScanOnPushOnly(scanning) => (Inactive, ScanOnPushReason),
            ScanStatus.COMPLETE or ScanStatus.ACTIVE => (Active, "SUCCESSFUL"),
            _ when image.LastScanId is not null => (Active, "SUCCESSFUL"),
            _ => (Active, "PENDING_INITIAL_SCAN"),
        };
    }
}
