namespace ImageScanning.ScanEngine.Vex;

/// <summary>Bounds on one VEX document, so an uploaded or discovered document cannot exhaust memory.</summary>
public sealed record VexLimits
{
    /// <summary>Bytes of one document; Red Hat's largest per-CVE CSAF VEX files are a few MB.</summary>
    public long MaxDocumentBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Statements read from one document (after a CSAF document is grouped into statements per platform).</summary>
    public int MaxStatements { get; init; } = 100_000;

    /// <summary>Product and subcomponent entries over all statements of one document.</summary>
    public int MaxProductEntries { get; init; } = 1_000_000;

    /// <summary>VEX referrers of one image fetched; the newest (by the created annotation) first when there are more.</summary>
    public int MaxReferrers { get; init; } = 32;

    /// <summary>Layers read from one VEX referrer's manifest (an artifact has one; an attestation manifest a few).</summary>
    public int MaxLayersPerReferrer { get; init; } = 4;

    public static VexLimits Default { get; } = new();
}
