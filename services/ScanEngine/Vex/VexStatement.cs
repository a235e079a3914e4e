namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// One VEX statement, whatever the format it was read from: the status of one vulnerability in some products, optionally
/// narrowed to some of their components.
/// </summary>
public sealed record VexStatement
{
    /// <summary>The vulnerability as the document names it ("CVE-2023-42363", "GO-2024-2575").</summary>
    public required string VulnerabilityId { get; init; }

    /// <summary>Other ids the document gives the same vulnerability (OpenVEX aliases, CSAF ids, CycloneDX references).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>
    /// The products, as the document names them: a purl (<c>pkg:oci/app@sha256:…</c> for an image, or a package purl), an image
    /// digest, a CPE, or a CycloneDX bom-ref that resolved to neither.
    /// </summary>
    public required IReadOnlyList<string> Products { get; init; }

    /// <summary>The package purls inside the products the statement is about; empty: every package of the products.</summary>
    public IReadOnlyList<string> Subcomponents { get; init; } = [];

    public required VexStatus Status { get; init; }

    /// <summary>Why not affected, in OpenVEX terms; null when the document gives none or one that does not map.</summary>
    public VexJustification? Justification { get; init; }

    /// <summary>The justification word exactly as the document wrote it (a CycloneDX word keeps its own name here).</summary>
    public string? SourceJustification { get; init; }

    /// <summary>Free text on why not affected (OpenVEX impact_statement, CycloneDX analysis.detail, CSAF impact threat).</summary>
    public string? ImpactStatement { get; init; }

    /// <summary>What to do about it (OpenVEX action_statement, CSAF remediation details, CycloneDX analysis.detail when affected).</summary>
    public string? ActionStatement { get; init; }

    /// <summary>CycloneDX analysis.response words (can_not_fix, will_not_fix, update, rollback, workaround_available) or CSAF remediation categories.</summary>
    public IReadOnlyList<string> Responses { get; init; } = [];

    /// <summary>When the statement was made: its own timestamp, else its document's last update, else the document's timestamp.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The id of the document the statement is from (OpenVEX @id, CycloneDX serialNumber, CSAF tracking id).</summary>
    public required string DocumentId { get; init; }

    /// <summary>Who made it (OpenVEX author, CSAF publisher name, CycloneDX metadata supplier/manufacturer/author).</summary>
    public string? Author { get; init; }

    public required VexFormat Format { get; init; }

    /// <summary>
    /// The image digest the statement's document was attached to as an OCI referrer; null otherwise. Such a document speaks
    /// about that image, so a product it names by a bom-ref alone (no purl, no digest) is that image.
    /// </summary>
    public string? Subject { get; init; }
}
