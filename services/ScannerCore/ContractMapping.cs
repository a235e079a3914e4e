using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Cvss;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScannerCore;

/// <summary>From the engine's model to the wire contracts.</summary>
public static class ContractMapping
{
    /// <summary>An inventory's package, with every advisory key the ecosystems give it (the re-scan index's keys).</summary>
    public static PackageRecord ToRecord(this Package package, Distribution? distribution, IEnumerable<IEcosystem> ecosystems)
    {
        var keys = ecosystems.Select(e => e.AdvisoryKeyFor(package, distribution)).OfType<AdvisoryKey>()
            .Select(k => new AffectedPackageRef(k.Ecosystem, k.PackageName)).Distinct().ToList();
        return new PackageRecord(package.Name, package.Version, package.Type, keys.FirstOrDefault()?.Ecosystem, package.SourceName,
            package.SourceVersion, package.Architecture, package.FilePath, package.LayerDigest, keys.Count == 0 ? null : keys,
            PackageType.InspectorPackageManagerOf(package.Type));
    }

    public static VulnerabilityFinding ToFinding(this VulnerabilityMatch match, ScanType scanType, Distribution? distribution, IEnumerable<IEcosystem> ecosystems) => new(
        match.VulnerabilityId,
        match.Aliases,
        ToFindingSeverity(match.Severity, scanType),
        match.Title,
        match.Description,
        match.SourceUrl,
        match.CvssScore,
        match.CvssVector,
        match.FixedInVersion,
        // A finding names the package and the ecosystem of the advisory it matched; the index keys stay with the inventory.
        match.Package.ToRecord(distribution, ecosystems) with { AdvisoryKeys = null },
        match.CvssVersion ?? CvssVersions.Of(match.CvssVector),
        match.VendorSeverity);

    /// <summary>ECR's BASIC findings know UNDEFINED where Inspector says UNTRIAGED.</summary>
    public static FindingSeverity ToFindingSeverity(Severity severity, ScanType scanType) => severity switch
    {
        Severity.Critical => FindingSeverity.CRITICAL,
        Severity.High => FindingSeverity.HIGH,
        Severity.Medium => FindingSeverity.MEDIUM,
        Severity.Low => FindingSeverity.LOW,
        Severity.Informational => FindingSeverity.INFORMATIONAL,
        _ => scanType == ScanType.BASIC ? FindingSeverity.UNDEFINED : FindingSeverity.UNTRIAGED,
    };

    public static ScanFailureReason ToReason(this ScanFailureKind kind) => kind switch
    {
        ScanFailureKind.UnsupportedImage => ScanFailureReason.UNSUPPORTED_IMAGE,
        ScanFailureKind.UnsupportedMediaType => ScanFailureReason.UNSUPPORTED_MEDIA_TYPE,
        ScanFailureKind.RegistryNotConfigured => ScanFailureReason.REGISTRY_NOT_CONFIGURED,
        ScanFailureKind.RegistryUnreachable => ScanFailureReason.REGISTRY_UNREACHABLE,
        ScanFailureKind.AccessDenied => ScanFailureReason.ACCESS_DENIED,
        ScanFailureKind.ImageNotFound => ScanFailureReason.IMAGE_NOT_FOUND,
        ScanFailureKind.CorruptLayer => ScanFailureReason.CORRUPT_LAYER,
        ScanFailureKind.LayerTooLarge => ScanFailureReason.LAYER_TOO_LARGE,
        ScanFailureKind.DigestMismatch => ScanFailureReason.DIGEST_MISMATCH,
        ScanFailureKind.Timeout => ScanFailureReason.TIMEOUT,
        _ => ScanFailureReason.INTERNAL_ERROR,
    };
}
