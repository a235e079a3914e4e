using System.Text.Json.Nodes;
using ImageScanning.AwsWire;

namespace ImageScanning.Gateway.Inspector2.Coverage;

/// <summary>Inspector's CoveredResource for an ECR image or repository.</summary>
public static class CoverageJson
{
    /// <summary>Inspector's scan type of a package-vulnerability scan (its NETWORK and CODE scans have no counterpart here).</summary>
    public const string InspectorScanType = "PACKAGE";

    public static JsonObject Render(CoverageItem item)
    {
        var r = item.Resource;
        var metadata = new JsonObject
        {
            ["ecrRepository"] = new JsonObject { ["name"] = r.Repository, ["scanFrequency"] = r.ScanFrequency.ToString() },
        };
        if (r.ImageDigest is not null)
        {
            var image = new JsonObject { ["tags"] = new JsonArray(r.ImageTags.Select(t => (JsonNode?)t).ToArray()) };
            if (r.LastPulledAt is { } pulled) image["imagePulledAt"] = InspectorTimestamps.Render(pulled, InspectorFindingForm.Inspector2Api);
            metadata["ecrImage"] = image;
        }
        var json = new JsonObject
        {
            ["resourceType"] = r.ResourceType,
            ["resourceId"] = item.ResourceArn,
            ["accountId"] = item.AccountId,
            ["scanType"] = InspectorScanType,
            ["scanStatus"] = new JsonObject { ["statusCode"] = r.StatusCode, ["reason"] = r.Reason },
            ["resourceMetadata"] = metadata,
        };
        if (r.LastScannedAt is { } scanned) json["lastScannedAt"] = InspectorTimestamps.Render(scanned, InspectorFindingForm.Inspector2Api);
        return json;
    }
}
