using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;

namespace ImageScanning.Cli.Reports;

/// <summary>The report's stable model; its JSON form is documented in docs/imagescan-json.md (schemaVersion 1).</summary>
public sealed record ScanReport(
    int SchemaVersion,
    string Target,
    string ScanType,
    ReportImage Image,
    ReportOs? Os,
    IReadOnlyList<ReportPackage> Packages,
    IReadOnlyList<ReportFinding> Findings,
    IReadOnlyDictionary<string, int> Summary,
    IReadOnlyList<ReportWarning> Warnings)
{
    /// <param name="release">The OS's release in the end-of-life table (null when unknown); <paramref name="today"/> says whether it is past.</param>
    public static ScanReport From(
        string target, bool enhanced, ImageScanResult result, IReadOnlyList<IEcosystem> ecosystems, DistributionRelease? release, DateOnly today)
    {
        string EcosystemOf(Package p) =>
            ecosystems.Select(e => e.AdvisoryKeyFor(p, result.Distribution)).FirstOrDefault(k => k is not null)?.Ecosystem ?? p.Type;
        ReportPackage ToPackage(Package p) => new(p.Name, p.Version, EcosystemOf(p), PackageUrl.For(p, result.Distribution),
            p.SourceName, p.SourceVersion, p.FilePath, p.LayerDigest);

        var findings = result.Vulnerabilities
            .OrderByDescending(v => SeverityOrder.Rank(Wire(v.Severity))).ThenBy(v => v.Package.Name, StringComparer.Ordinal).ThenBy(v => v.VulnerabilityId, StringComparer.Ordinal)
            .Select(v =>
            {
                var package = ToPackage(v.Package);
                return new ReportFinding(v.VulnerabilityId, v.Aliases, Wire(v.Severity), v.Title, v.FixedInVersion, v.SourceUrl, v.CvssScore, v.CvssVector,
                    new ReportPackageRef(package.Name, package.Version, package.Ecosystem, package.Purl), package.Path, package.Layer);
            }).ToList();
        return new ScanReport(
            1, target, enhanced ? "ENHANCED" : "BASIC",
            new ReportImage(result.Digest, result.MediaType),
            result.Distribution is { } d
                ? new ReportOs(d.Id, d.VersionId, d.PrettyName, release?.EndOfSecuritySupport, release?.IsEndOfLifeOn(today) ?? false)
                : null,
            result.Packages.Select(ToPackage).OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Path, StringComparer.Ordinal).ToList(),
            findings,
            findings.GroupBy(f => f.Severity).OrderByDescending(g => SeverityOrder.Rank(g.Key)).ToDictionary(g => g.Key, g => g.Count()),
            result.Warnings.Select(w => new ReportWarning(w.Path, w.Reason)).ToList());
    }

    private static string Wire(Severity severity) => severity.ToWireName();
}

public sealed record ReportImage(string Digest, string MediaType);

/// <summary>A file that was not read, and why; its packages, if any, are missing from the report.</summary>
public sealed record ReportWarning(string Path, string Reason);

/// <param name="EndOfLife">The last day of its release's free security support; null for a rolling or unknown release.</param>
/// <param name="Eosl">Past it ("end of service life", Trivy's name): security updates are no longer provided.</param>
public sealed record ReportOs(string Id, string VersionId, string? PrettyName, DateOnly? EndOfLife, bool Eosl);

public sealed record ReportPackage(string Name, string Version, string Ecosystem, string Purl, string? SourceName, string? SourceVersion, string Path, string Layer);

public sealed record ReportPackageRef(string Name, string Version, string Ecosystem, string Purl);

public sealed record ReportFinding(
    string VulnerabilityId, IReadOnlyList<string> Aliases, string Severity, string? Title, string? FixedInVersion, string? Url,
    double? CvssScore, string? CvssVector, ReportPackageRef Package, string Path, string Layer);

/// <summary>Severity order for sorting and --fail-on; -1 for words that are not severities.</summary>
public static class SeverityOrder
{
    private static readonly string[] Ordered = ["UNTRIAGED", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];

    public static int Rank(string severity) => Array.IndexOf(Ordered, severity.ToUpperInvariant());
}
