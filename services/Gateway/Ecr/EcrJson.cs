using System.Text.Json.Nodes;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Ecr;

/// <summary>JSON pieces of ECR responses. Timestamps are epoch seconds as JSON numbers, with milliseconds (AWS JSON 1.1).</summary>
public static class EcrJson
{
    public static JsonNode? Time(DateTimeOffset? time) =>
        time is { } t ? JsonValue.Create(t.ToUnixTimeMilliseconds() / 1000m) : null;

    public static JsonObject ImageId(string digest, string? tag)
    {
        var id = new JsonObject { ["imageDigest"] = digest };
        if (tag is not null) id["imageTag"] = tag;
        return id;
    }

    public static JsonObject ScanStatus(ScanStatus status, string? description)
    {
        var node = new JsonObject { ["status"] = status.ToString() };
        if (description is not null) node["description"] = description;
        return node;
    }

    /// <summary>findingSeverityCounts: only the non-zero severities (ECR omits the others).</summary>
    public static JsonObject SeverityCounts(IReadOnlyDictionary<FindingSeverity, int>? counts)
    {
        var node = new JsonObject();
        foreach (var (severity, count) in (counts ?? new Dictionary<FindingSeverity, int>()).OrderBy(c => c.Key))
            if (count > 0) node[severity.ToString()] = count;
        return node;
    }

    /// <summary>Drops null members, as AWS omits absent ones.</summary>
    public static JsonObject Compact(JsonObject node)
    {
        foreach (var key in node.Where(p => p.Value is null).Select(p => p.Key).ToList()) node.Remove(key);
        return node;
    }
}
