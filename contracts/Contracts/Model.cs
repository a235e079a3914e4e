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
/// <param name="PackageManager">Inspector's packageManager for <paramref name="Type"/> (OS, NPM, JAR, ...), set by the scanner that
/// knows the ecosystem; null in records stored before it existed (readers fall back to the package type's table).</param>
public sealed record PackageRecord(
    string Name, string Version, string Type, string? Ecosystem, string? SourceName, string? SourceVersion,
    string? Architecture, string FilePath, string LayerDigest, IReadOnlyList<AffectedPackageRef>? AdvisoryKeys = null,
    string? PackageManager = null);

/// <summary>One vulnerability in one package of one image.</summary>
/// <param name="CvssVersion">The CVSS version of <paramref name="CvssVector"/> ("2.0", "3.0", "3.1", "4.0") as the advisory gave it.</param>
/// <param name="VendorSeverity">The advisory's own severity word ("medium", "MODERATE"), Inspector's vendorSeverity.</param>
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
    PackageRecord Package,
    string? CvssVersion = null,
    string? VendorSeverity = null);

/// <summary>The operating system of an image, from its os-release.</summary>
/// <param name="EndOfLife">The last day its release gets free security fixes from its vendor (endoflife.date's dates, see docs/eol.md):
/// past it, the base image is end of life. Null for a rolling or unknown release, and in messages sent before it existed.</param>
public sealed record OperatingSystemInfo(string Id, string VersionId, string? PrettyName, DateOnly? EndOfLife = null);
