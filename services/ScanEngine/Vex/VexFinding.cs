namespace ImageScanning.ScanEngine.Vex;

/// <summary>
/// What a VEX statement is matched against: one finding of one image.
/// </summary>
/// <param name="ImageDigests">The image's manifest digest, and its index's when it was scanned through one.</param>
/// <param name="Repository">The repository path ("team/app"); its last segment is an oci purl's name.</param>
/// <param name="RegistryHost">The registry's host[:port] ("registry.example.com"), for an oci purl's repository_url; null when unknown.</param>
/// <param name="VulnerabilityId">The finding's vulnerability id.</param>
/// <param name="Aliases">Its aliases (CVE of a GHSA...): a statement about any of them applies.</param>
/// <param name="PackagePurl">The package's purl as the engine writes it (<see cref="Model.PackageUrl"/>).</param>
public sealed record VexFinding(
    IReadOnlyList<string> ImageDigests,
    string Repository,
    string? RegistryHost,
    string VulnerabilityId,
    IReadOnlyList<string> Aliases,
    string PackagePurl)
{
    /// <summary>
    /// Purls of the packages that contain this one (the Go binary's main module, the application a library is bundled in), so a
    /// statement whose product is such a package and whose subcomponent is this one applies. Empty when unknown.
    /// </summary>
    public IReadOnlyList<string> ContainingPurls { get; init; } = [];

    /// <summary>CPEs the image is known to be (a Red Hat image's content-set CPEs), for statements whose product is a CPE.</summary>
    public IReadOnlyList<string> Cpes { get; init; } = [];
}
