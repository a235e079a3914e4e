using System.Text.Json.Nodes;

namespace ImageScanning.Gateway.Harbor;

/// <summary>JSON pieces shared by the Scanner API's answers.</summary>
public static class HarborJson
{
    public static JsonObject Artifact(HarborScanRequestId request) => Compact(new JsonObject
    {
        ["repository"] = request.Repository,
        ["digest"] = request.Digest,
        ["tag"] = request.Tag,
        ["mime_type"] = request.MimeType,
    });

    /// <summary>Drops null members: the spec's fields are plain strings and numbers, never null.</summary>
    public static JsonObject Compact(JsonObject node)
    {
        foreach (var key in node.Where(p => p.Value is null).Select(p => p.Key).ToList()) node.Remove(key);
        return node;
    }

    public static JsonObject Error(string message) => new() { ["error"] = new JsonObject { ["message"] = message } };
}
