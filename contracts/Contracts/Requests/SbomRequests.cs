namespace ImageScanning.Contracts;

#pragma warning disable CA1707
/// <summary>CycloneDX 1.4 is Inspector's SBOM export format; the REST API and Harbor give 1.5.</summary>
public enum SbomFormat { CYCLONEDX_1_5, SPDX_2_3, CYCLONEDX_1_4 }
#pragma warning restore CA1707

/// <summary>The SBOM of an image's latest successful scan.</summary>
public sealed record GetImageSbom(string Registry, string Repository, string Digest, SbomFormat Format);

/// <summary>The SBOM document as JSON; Found false when the image has no stored inventory.</summary>
public sealed record ImageSbomResult(bool Found, string? Json);
