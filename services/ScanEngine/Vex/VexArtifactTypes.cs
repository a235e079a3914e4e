namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// The OCI artifact types a VEX document is stored under next to an image, and the attestation types that can carry one.
/// <list type="bullet">
///   <item>Documents: OpenVEX <c>application/vnd.openvex+json</c>, CycloneDX <c>application/vnd.cyclonedx+json</c> (with any
///   <c>;version=</c> parameter; also what Trivy's referrer plugin pushes for SBOMs, so one without vulnerabilities is skipped),
///   CSAF <c>application/csaf+json</c>.</item>
///   <item>Attestations: <c>application/vnd.in-toto+json</c> (Docker Scout, Trivy's generic in-toto referrers; a bare in-toto
///   statement or a DSSE envelope), <c>application/vnd.dev.sigstore.bundle.v0.3+json</c> (cosign attest since v3),
///   <c>application/vnd.dsse.envelope.v1+json</c> (a DSSE envelope). The predicate-type annotation (<c>in-toto.io/predicate-type</c>,
///   <c>dev.sigstore.bundle.predicateType</c>) picks the VEX ones without downloading the others.</item>
/// </list>
/// </summary>
public static class VexArtifactTypes
{
    public const string OpenVex = "application/vnd.openvex+json";
    public const string CycloneDx = "application/vnd.cyclonedx+json";
    public const string Csaf = "application/csaf+json";
    public const string InToto = "application/vnd.in-toto+json";
    public const string SigstoreBundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public const string SigstoreBundleVersioned = "application/vnd.dev.sigstore.bundle+json";
    public const string DsseEnvelope = "application/vnd.dsse.envelope.v1+json";

    public static readonly IReadOnlyList<string> Documents = [OpenVex, CycloneDx, Csaf];
    public static readonly IReadOnlyList<string> Attestations = [InToto, SigstoreBundle, SigstoreBundleVersioned, DsseEnvelope];

    private static readonly string[] PredicateAnnotations = ["in-toto.io/predicate-type", "dev.sigstore.bundle.predicateType", "predicateType"];

    /// <summary>In-toto predicate types of VEX: OpenVEX's context, CycloneDX's VEX and BOM predicates (cosign --type cyclonedx).</summary>
    public static bool IsVexPredicate(string predicateType) =>
        predicateType.StartsWith("https://openvex.dev/ns", StringComparison.Ordinal)
        || predicateType.StartsWith("https://cyclonedx.org/vex", StringComparison.Ordinal)
        || predicateType.StartsWith("https://cyclonedx.org/bom", StringComparison.Ordinal);

    /// <summary>The media type without parameters, lower-cased ("application/vnd.cyclonedx+json;version=1.6" → "application/vnd.cyclonedx+json").</summary>
    public static string Essence(string mediaType) => mediaType.Split(';')[0].Trim().ToLowerInvariant();

    public static bool IsDocument(string? artifactType) => artifactType is not null && Documents.Contains(Essence(artifactType), StringComparer.Ordinal);

    public static bool IsAttestation(string? artifactType) => artifactType is not null && Attestations.Contains(Essence(artifactType), StringComparer.Ordinal);

    /// <summary>
    /// Whether a referrer may hold VEX: a document type, or an attestation whose predicate-type annotation is a VEX one (or that
    /// has none, so only its content can tell).
    /// </summary>
    public static bool MayHoldVex(string? artifactType, IReadOnlyDictionary<string, string> annotations)
    {
        if (IsDocument(artifactType)) return true;
        if (!IsAttestation(artifactType)) return false;
        foreach (var key in PredicateAnnotations)
            if (annotations.TryGetValue(key, out var predicate)) return IsVexPredicate(predicate);
        return true;
    }
}
