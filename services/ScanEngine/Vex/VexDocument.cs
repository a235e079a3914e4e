namespace ImageScanning.ScanEngine.Vex;

/// <summary>A VEX document read into statements.</summary>
/// <param name="Subject">
/// The image digest the document was attached to when it was discovered as an OCI referrer; null otherwise. A product
/// that names no image or package (a CycloneDX bom-ref without a purl) is that image.
/// </param>
public sealed record VexDocument(VexFormat Format, string Id, string? Author, DateTimeOffset? Timestamp, IReadOnlyList<VexStatement> Statements, string? Subject = null);
