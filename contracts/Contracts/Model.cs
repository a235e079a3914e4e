namespace ImageScanning.Contracts;

/// <summary>An image in a configured registry.</summary>
public sealed record ImageRef(string Registry, string Repository, string Digest, IReadOnlyList<string> Tags);

/// <summary>A package an image holds, as the scanners report it.</summary>
/// <param name="Ecosystem">The advisory ecosystem of its first advisory key (what a finding reports).</param>
/// <param name="AdvisoryKeys">
/// Every (advisory ecosystem, name) its advisories may be filed under: an rpm on RHEL is looked up under baseos, appstream and
/// the release; a deb on Ubuntu under Ubuntu and Ubuntu Pro. What the re-scan index keys the image by, so an advisory for any of
/// them finds it. Null in findings (they report one) and in inventories sent before it existed.
/// </param>
public sealed record PackageRecord(
    string Name, string Version, string Type, string? Ecosystem, string? SourceName, string? SourceVersion,
    string? Architecture, string FilePath, string LayerDigest, IReadOnlyList<AffectedPackageRef>? AdvisoryKeys = null);

/// <summary>One vulnerability in one package of one image.</summary>
public sealed record VulnerabilityFinding(
    string VulnerabilityId,
    IReadOnlyList<string> Aliases,
    FindingSeverity Severity,
    string? Title,
    string? Description,
    string? SourceUrl,
    double? CvssScore,
    string? CvssVector,
    string? FixedInVersion,
    PackageRecord Package);

public sealed record OperatingSystemInfo(string Id, string VersionId, string? PrettyName);
