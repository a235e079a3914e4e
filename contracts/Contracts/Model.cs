namespace ImageScanning.Contracts;

/// <summary>An image in a configured registry.</summary>
public sealed record ImageRef(string Registry, string Repository, string Digest, IReadOnlyList<string> Tags);

/// <summary>A package an image holds, as the scanners report it.</summary>
public sealed record PackageRecord(
    string Name, string Version, string Type, string? Ecosystem, string? SourceName, string? SourceVersion,
    string? Architecture, string FilePath, string LayerDigest);

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
