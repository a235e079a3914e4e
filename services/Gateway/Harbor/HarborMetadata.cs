using System.Text.Json.Nodes;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// GET /metadata: this scanner, its capabilities and properties. Metadata version 1.1 (spec v1.2) lists the vulnerability and
/// the SBOM capability; version 1.0 (asked by an older Harbor, whose capabilities have no type) only the vulnerability one, so
/// it does not read the SBOM capability as a second vulnerability scanner of the same artifacts.
/// </summary>
public static class HarborMetadata
{
    public const string ScannerTypeProperty = "harbor.scanner-adapter/scanner-type";
    public const string DatabaseUpdatedAtProperty = "harbor.scanner-adapter/vulnerability-database-updated-at";

    public static async Task<JsonObject> BuildAsync(bool withSbom, IAdvisoryStore advisories, CancellationToken ct)
    {
        var capabilities = new JsonArray(new JsonObject
        {
            ["type"] = HarborScanRequest.Vulnerability,
            ["consumes_mime_types"] = Strings(HarborMediaTypes.ConsumedArtifacts),
            ["produces_mime_types"] = Strings([HarborMediaTypes.SecurityReportV11, HarborMediaTypes.HarborReportV10]),
        });
        if (withSbom)
            capabilities.Add(new JsonObject
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
