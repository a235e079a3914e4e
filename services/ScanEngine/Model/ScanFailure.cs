namespace ImageScanning.ScanEngine.Model;

/// <summary>Why a scan could not produce results; each maps to a reason users see.</summary>
public enum ScanFailureKind
{
    UnsupportedImage,
    UnsupportedMediaType,
    RegistryNotConfigured,
    RegistryUnreachable,
    AccessDenied,
    ImageNotFound,
    CorruptLayer,
    LayerTooLarge,
    DigestMismatch,
    InternalError,

    /// <summary>The scan ran past its deadline, or a registry sent a blob slower than the minimum throughput. Not retried.</summary>
    Timeout,
}

/// <summary>A scan failure with a reason a user can act on; never carries credentials.</summary>
public sealed class ScanException(ScanFailureKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ScanFailureKind Kind { get; } = kind;
}
