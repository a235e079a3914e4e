namespace ImageScanning.Contracts;

// Enum member names are the exact ECR / Inspector wire values.
#pragma warning disable CA1707

/// <summary>ECR registry scan type.</summary>
public enum ScanType { BASIC, ENHANCED }

/// <summary>ECR scan frequency of a rule or repository.</summary>
public enum ScanFrequency { SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL }

/// <summary>ECR repository filter type; WILDCARD is the only one.</summary>
public enum RepositoryFilterType { WILDCARD }

/// <summary>What started a scan.</summary>
public enum ScanTrigger { PUSH, MANUAL, RESCAN }

/// <summary>ECR FindingSeverity plus Inspector's UNTRIAGED.</summary>
public enum FindingSeverity { INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL, UNDEFINED, UNTRIAGED }

/// <summary>ECR ScanStatus.</summary>
public enum ScanStatus
{
    IN_PROGRESS, COMPLETE, FAILED, UNSUPPORTED_IMAGE, ACTIVE, PENDING,
    SCAN_ELIGIBILITY_EXPIRED, FINDINGS_UNAVAILABLE, LIMIT_EXCEEDED, IMAGE_ARCHIVED,
}

/// <summary>Why a scan failed, in terms a user can act on.</summary>
public enum ScanFailureReason
{
    UNSUPPORTED_IMAGE, UNSUPPORTED_MEDIA_TYPE, REGISTRY_NOT_CONFIGURED, REGISTRY_UNREACHABLE,
    ACCESS_DENIED, IMAGE_NOT_FOUND, CORRUPT_LAYER, LAYER_TOO_LARGE, DIGEST_MISMATCH, INTERNAL_ERROR,
    /// <summary>The scan did not finish within its deadline, or the registry sent a layer slower than the minimum throughput.</summary>
    TIMEOUT,
}
#pragma warning restore CA1707
