using Microsoft.Net.Http.Headers;

namespace ImageScanning.Gateway.Harbor;

/// <summary>The media types of Harbor's Pluggable Scanner API (spec v1.0, v1.1 and v1.2) that this adapter reads or writes.</summary>
public static class HarborMediaTypes
{
    public const string MetadataV10 = "application/vnd.scanner.adapter.metadata+json; version=1.0";
    public const string MetadataV11 = "application/vnd.scanner.adapter.metadata+json; version=1.1";
    public const string ScanRequestV10 = "application/vnd.scanner.adapter.scan.request+json; version=1.0";
    public const string ScanRequestV11 = "application/vnd.scanner.adapter.scan.request+json; version=1.1";
    public const string ScanResponse = "application/vnd.scanner.adapter.scan.response+json; version=1.0";
    public const string Error = "application/vnd.scanner.adapter.error+json; version=1.0";

    /// <summary>Harbor's own report format (spec v1.0): VulnerabilityItem without CVSS, CWE and vendor attributes.</summary>
    public const string HarborReportV10 = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";

    /// <summary>The report Harbor 2.x asks for (spec v1.1): VulnerabilityItem with preferred_cvss, cwe_ids, vendor_attributes.</summary>
    public const string SecurityReportV11 = "application/vnd.security.vulnerability.report; version=1.1";

    /// <summary>The SBOM report (spec v1.2); the SBOM's own format is the query's sbom_media_type.</summary>
    public const string SbomReport = "application/vnd.security.sbom.report+json; version=1.0";

    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public static readonly IReadOnlyList<string> ConsumedArtifacts = [OciManifest, DockerManifest];

    public const string Spdx = "application/spdx+json";
    public const string CycloneDx = "application/vnd.cyclonedx+json";
    public static readonly IReadOnlyList<string> SbomFormats = [Spdx, CycloneDx];

    /// <summary>
    /// True when <paramref name="candidate"/> is <paramref name="mediaType"/>: same type and subtype (case-insensitive) and,
    /// when the served type has a version parameter, the same version. Harbor writes "; version=1.1" with or without spaces.
    /// </summary>
    public static bool Matches(MediaTypeHeaderValue candidate, string mediaType)
    {
        var served = MediaTypeHeaderValue.Parse(mediaType);
        if (!served.MediaType.Equals(candidate.MediaType, StringComparison.OrdinalIgnoreCase)) return false;
        var version = Version(served);
        return version is null || string.Equals(version, Version(candidate), StringComparison.Ordinal);
    }

    public static bool Matches(string candidate, string mediaType) =>
        MediaTypeHeaderValue.TryParse(candidate, out var parsed) && Matches(parsed, mediaType);

    private static string? Version(MediaTypeHeaderValue value) =>
        value.Parameters.FirstOrDefault(p => p.Name.Equals("version", StringComparison.OrdinalIgnoreCase))?.Value.Value?.Trim('"');

    /// <summary>The media types of an Accept header, most preferred first (quality, then order); empty when absent.</summary>
    public static IReadOnlyList<MediaTypeHeaderValue> Accepted(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var list)
            ? list.Select((v, i) => (v, i)).OrderByDescending(x => x.v.Quality ?? 1).ThenBy(x => x.i).Select(x => x.v).ToList()
            : [];

    /// <summary>True when the Accept header is absent or only wildcards: the client takes the default.</summary>
    public static bool AcceptsAnything(IReadOnlyList<MediaTypeHeaderValue> accepted) =>
        accepted.Count == 0 || accepted.All(a => a.MatchesAllTypes);
}
