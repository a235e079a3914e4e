using System.Text.Json.Nodes;
using ImageScanning.Gateway.Inspector2.Coverage;

namespace ImageScanning.Gateway.Inspector2.Operations;

/// <summary>
/// ListCoverage and ListCoverageStatistics over every registry of the account, from ScanRouter's coverage (the same statuses and
/// reasons as the REST API's /coverage, INTERFACES §2.2).
/// </summary>
public static class CoverageOperations
{
    private static readonly Dictionary<string, Func<CoverageItem, string>> GroupKeys = new(StringComparer.Ordinal)
    {
        ["SCAN_STATUS_CODE"] = i => i.Resource.StatusCode,
        ["SCAN_STATUS_REASON"] = i => i.Resource.Reason,
        ["ACCOUNT_ID"] = i => i.AccountId,
        ["RESOURCE_TYPE"] = i => i.Resource.ResourceType,
        ["ECR_REPOSITORY_NAME"] = i => i.Resource.Repository,
    };

    public static async Task<JsonObject> ListCoverageAsync(Inspector2Call call)
    {
        var limit = call.Request.MaxResults(200, 200);
        var criteria = CoverageCriteria.Parse(call.Request.Object("filterCriteria"));
        var (items, nextToken) = await new CoverageWalk(call, criteria).PageAsync(limit, call.Request.String("nextToken"));
        var response = new JsonObject { ["coveredResources"] = new JsonArray(items.Select(i => (JsonNode?)CoverageJson.Render(i)).ToArray()) };
        if (nextToken is not null) response["nextToken"] = nextToken;
        return response;
    }

    /// <summary>
    /// Counts of the matching resources, in all and per group. Every group is answered at once (there are few: statuses, reasons,
    /// types, accounts, repositories), so nextToken is never handed out. groupKey carries the group's value (e.g. ACTIVE).
    /// </summary>
    public static async Task<JsonObject> ListCoverageStatisticsAsync(Inspector2Call call)
    {
        var criteria = CoverageCriteria.Parse(call.Request.Object("filterCriteria"));
        var groupBy = call.Request.String("groupBy");
        Func<CoverageItem, string>? key = null;
        if (groupBy is not null && !GroupKeys.TryGetValue(groupBy, out key))
            throw Inspector2Errors.Validation($"groupBy must be one of {string.Join(", ", GroupKeys.Keys)}.", "groupBy");
        if (call.Request.String("nextToken") is not null)
            throw Inspector2Errors.Validation("nextToken is not a token this operation issued: it answers every group at once.", "nextToken");
        var items = await new CoverageWalk(call, criteria).AllAsync();
        var response = new JsonObject { ["totalCounts"] = items.Count };
        if (key is not null)
            response["countsByGroup"] = new JsonArray(items.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (JsonNode?)new JsonObject { ["count"] = g.LongCount(), ["groupKey"] = g.Key }).ToArray());
        return response;
    }
}
