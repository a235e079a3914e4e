using System.Text.Json.Nodes;

namespace ImageScanning.EndToEnd.Tests.AwsCli;

/// <summary>
/// Inspector2 request and response pieces the walk-through builds and reads (shapes of the botocore model Debian's CLI
/// carries: FilterCriteria, Finding, SeverityCounts).
/// </summary>
internal static class InspectorJson
{
    /// <summary>A FilterCriteria (or CoverageFilterCriteria) of EQUALS string filters; one field may repeat (any of them matches).</summary>
    public static string EqualsCriteria(params (string Field, string Value)[] filters)
    {
        var criteria = new JsonObject();
        foreach (var group in filters.GroupBy(f => f.Field))
            criteria[group.Key] = new JsonArray(group.Select(f => (JsonNode)new JsonObject { ["comparison"] = "EQUALS", ["value"] = f.Value }).ToArray());
        return criteria.ToJsonString();
    }

    /// <summary>A response's list member; the model marks most of them optional, and the CLI prints none for an empty answer.</summary>
    public static List<JsonNode> Items(JsonObject response, string member) => response[member]?.AsArray().Select(n => n!).ToList() ?? [];

    public static string Arn(JsonNode finding) => (string)finding["findingArn"]!;

    public static string VulnerabilityId(JsonNode finding) => (string)finding["packageVulnerabilityDetails"]!["vulnerabilityId"]!;

    public static JsonNode Package(JsonNode finding) => finding["packageVulnerabilityDetails"]!["vulnerablePackages"]![0]!;

    public static JsonNode Image(JsonNode finding) => finding["resources"]![0]!["details"]!["awsEcrContainerImage"]!;

    public static string ResourceId(JsonNode finding) => (string)finding["resources"]![0]!["id"]!;

    /// <summary>What an aggregation's severityCounts must say for these findings: all, critical, high, medium.</summary>
    public static (long All, long Critical, long High, long Medium) Counts(IEnumerable<JsonNode> findings)
    {
        var list = findings.ToList();
        long Of(string severity) => list.Count(f => (string?)f["severity"] == severity);
        return (list.Count, Of("CRITICAL"), Of("HIGH"), Of("MEDIUM"));
    }

    /// <summary>An aggregation response's severityCounts (an absent member is zero).</summary>
    public static (long All, long Critical, long High, long Medium) Counts(JsonNode severityCounts) =>
        ((long?)severityCounts["all"] ?? 0, (long?)severityCounts["critical"] ?? 0, (long?)severityCounts["high"] ?? 0, (long?)severityCounts["medium"] ?? 0);
}
