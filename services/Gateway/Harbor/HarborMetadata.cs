using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// GET /metadata: this scanner, its capabilities (vulnerability and, from spec v1.2, SBOM) and properties. The document is the
/// same for metadata version 1.0 and 1.1: Harbor's scanner client still asks for 1.0, also the releases that read SBOMs.
/// </summary>
public static class HarborMetadata
{
    public const string ScannerTypeProperty = "harbor.scanner-adapter/scanner-type";
    public const string DatabaseUpdatedAtProperty = "harbor.scanner-adapter/vulnerability-database-updated-at";

    public static async Task<JsonObject> BuildAsync(IAdvisoryStore advisories, CancellationToken ct)
    {
        var capabilities = new JsonArray(
            new JsonObject
            {
                ["type"] = HarborScanRequest.Vulnerability,
                ["consumes_mime_types"] = Strings(HarborMediaTypes.ConsumedArtifacts),
                ["produces_mime_types"] = Strings([HarborMediaTypes.SecurityReportV11, HarborMediaTypes.HarborReportV10]),
            },
            new JsonObject
            {
                ["type"] = HarborScanRequest.Sbom,
                ["consumes_mime_types"] = Strings(HarborMediaTypes.ConsumedArtifacts),
                ["produces_mime_types"] = Strings([HarborMediaTypes.SbomReport]),
                ["additional_attributes"] = new JsonObject { ["sbom_media_types"] = Strings(HarborMediaTypes.SbomFormats) },
            });

        var properties = new JsonObject
        {
            // OS packages and language packages (the enhanced scanner's), as Trivy's adapter says of itself.
            [ScannerTypeProperty] = "os-package-vulnerability",
        };
        // When the advisory database last changed: the same figure the scanners stamp on each result.
        if (await advisories.LastChangedAsync(ct) is { } updated)
            properties[DatabaseUpdatedAtProperty] = updated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject { ["scanner"] = HarborScanner.Json(), ["capabilities"] = capabilities, ["properties"] = properties };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
