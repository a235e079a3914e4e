using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// <c>application/vnd.security.sbom.report+json; version=1.0</c> (spec v1.2, SBOM.md): the platform's SBOM of the image's
/// latest scanned inventory, SPDX 2.3 or CycloneDX 1.5 JSON by the query's sbom_media_type, inside Harbor's envelope.
/// </summary>
public static class HarborSbomReportRenderer
{
    public const string MediaType = HarborMediaTypes.SbomReport;

    /// <summary>The platform's SBOM format for Harbor's sbom_media_type, or null for another.</summary>
    public static SbomFormat? FormatOf(string? sbomMediaType) => sbomMediaType switch
    {
        HarborMediaTypes.Spdx => SbomFormat.SPDX_2_3,
        HarborMediaTypes.CycloneDx => SbomFormat.CYCLONEDX_1_5,
        _ => null,
    };

    public static JsonObject Render(HarborScanRequestId request, string sbomMediaType, string sbomJson, DateTimeOffset generatedAt)
    {
        var sbom = JsonNode.Parse(sbomJson) as JsonObject
            ?? throw new InvalidOperationException("The platform's SBOM is not a JSON object.");
        return new JsonObject
        {
            ["generated_at"] = generatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["artifact"] = HarborJson.Artifact(request),
            ["scanner"] = HarborScanner.Json(),
            ["vendor_attributes"] = new JsonObject
            {
                ["spec-version"] = sbomMediaType == HarborMediaTypes.Spdx ? "SPDX-2.3" : "1.5",
                ["created-by"] = HarborScanner.Name,
            },
            ["media_type"] = sbomMediaType,
            ["sbom"] = sbom,
        };
    }
}
