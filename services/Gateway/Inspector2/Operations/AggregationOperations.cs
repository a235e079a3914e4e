using System.Text.Json.Nodes;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2.Operations;

/// <summary>
/// ListFindingAggregations for the container-image aggregations (INTERFACES §2.4), counted by Findings over the account's
/// registries. Every StringFilter maps onto a criterion Findings applies exactly; a filter it cannot apply (architectures,
/// imageTags, in-use, a PREFIX of a resource id) is refused by name, never ignored.
/// </summary>
public static class AggregationOperations
{
    private static readonly string[] Comparisons = ["EQUALS", "PREFIX", "NOT_EQUALS"];

    /// <summary>Each supported type, its request member, and its filters with the field each one compares.</summary>
    private static readonly Dictionary<string, (FindingAggregationType Type, string Member, (string Filter, AggregationField Field)[] Filters, string[] Refused)> Types =
        new(StringComparer.Ordinal)
        {
            ["REPOSITORY"] = (FindingAggregationType.REPOSITORY, "repositoryAggregation", [("repositories", AggregationField.Repository)], []),
            ["AWS_ECR_CONTAINER"] = (FindingAggregationType.AWS_ECR_CONTAINER, "awsEcrContainerAggregation",
                [("resourceIds", AggregationField.Image), ("imageShas", AggregationField.ImageDigest), ("repositories", AggregationField.Repository)],
                ["architectures", "imageTags", "lastInUseAt", "inUseCount"]),
            ["IMAGE_LAYER"] = (FindingAggregationType.IMAGE_LAYER, "imageLayerAggregation",
                [("repositories", AggregationField.Repository), ("resourceIds", AggregationField.Image), ("layerHashes", AggregationField.LayerHash)], []),
            ["PACKAGE"] = (FindingAggregationType.PACKAGE, "packageAggregation", [("packageNames", AggregationField.PackageName)], []),
            ["TITLE"] = (FindingAggregationType.TITLE, "titleAggregation",
                [("titles", AggregationField.Title), ("vulnerabilityIds", AggregationField.VulnerabilityId)], []),
        };

    public static async Task<JsonObject> ListFindingAggregationsAsync(Inspector2Call call)
    {
        var request = call.Request;
        var name = request.String("aggregationType") ?? throw Inspector2Errors.Validation("aggregationType is required.", "aggregationType");
        if (!Types.TryGetValue(name, out var type))
            throw Inspector2Errors.Validation(
                $"The aggregationType '{name}' is not supported: this platform scans container images, whose aggregations are {string.Join(", ", Types.Keys)}.",
                "aggregationType");
        var limit = request.MaxResults(100, 100);
        var aggregation = AggregationOf(request.Object("aggregationRequest"), type.Member);
        var criteria = new List<AggregationCriterion>();
        var registries = AccountRegistries(call, request.Body);
        if (registries.Count == 0) return Response(name, [], null);
        criteria.AddRange(registries.Select(r => new AggregationCriterion(AggregationField.Registry, StringFilterComparison.EQUALS, r)));
        var sortBy = AggregationSortBy.ALL;
        var sortOrder = SortOrder.DESC;
        if (aggregation is not null)
        {
            foreach (var refused in type.Refused.Where(aggregation.ContainsKey))
                throw Inspector2Errors.Validation($"{type.Member}.{refused} is not supported: the platform does not record an image's {refused}.", refused);
            foreach (var (filter, field) in type.Filters)
                foreach (var c in Inspector2FilterLists.Strings(aggregation, filter, Comparisons))
                    criteria.Add(Criterion(call, filter, field, c));
            if (type.Type == FindingAggregationType.TITLE && !OnlyContainerImagePackages(aggregation)) return Response(name, [], null);
            sortBy = EnumMember<AggregationSortBy>(aggregation, "sortBy", AggregationSortBy.ALL);
            if (sortBy == AggregationSortBy.AFFECTED_IMAGES && type.Type != FindingAggregationType.REPOSITORY)
                throw Inspector2Errors.Validation($"{type.Member}.sortBy must be CRITICAL, HIGH or ALL.", "sortBy");
            sortOrder = EnumMember<SortOrder>(aggregation, "sortOrder", SortOrder.DESC);
        }
        var page = await call.AskAsync<ListFindingAggregations, FindingAggregationsPage>(new ListFindingAggregations(
            type.Type, new FindingFilter(), sortBy, sortOrder, limit, request.String("nextToken"), criteria, ByFindingTitle: true));
        if (page.ErrorMessage is not null) throw Inspector2Errors.Validation(page.ErrorMessage);
        return Response(name, page.Responses.Select(b => InspectorAggregationJson.Response(type.Type, b, call.Account, InspectorFindingForm.Inspector2Api)), page.NextToken);
    }

    private static JsonObject Response(string type, IEnumerable<JsonObject> responses, string? nextToken)
    {
        var json = new JsonObject { ["aggregationType"] = type, ["responses"] = new JsonArray(responses.Select(r => (JsonNode?)r).ToArray()) };
        if (nextToken is not null) json["nextToken"] = nextToken;
        return json;
    }

    /// <summary>The request member of the type, refusing a member of another aggregation (it would be ignored).</summary>
    private static JsonObject? AggregationOf(JsonObject? aggregationRequest, string member)
    {
        if (aggregationRequest is null) return null;
        foreach (var (other, _) in aggregationRequest)
            if (other != member)
                throw Inspector2Errors.Validation($"aggregationRequest.{other} does not belong to this aggregationType: its member is {member}.", "aggregationRequest");
        return aggregationRequest[member] as JsonObject;
    }

    /// <summary>The platform registries of the account that the accountIds filters admit (every one when there are none).</summary>
    private static List<string> AccountRegistries(Inspector2Call call, JsonObject body)
    {
        var accountIds = Inspector2FilterLists.Strings(body, "accountIds", Comparisons);
        return call.Registries.All.Where(r => Inspector2FilterLists.Matches(accountIds, r.RegistryId)).Select(r => r.Name).ToList();
    }

    private static AggregationCriterion Criterion(Inspector2Call call, string filter, AggregationField field, StringFilter c)
    {
        var comparison = c.Comparison;
        if (field != AggregationField.Image) return new AggregationCriterion(field, comparison, c.Value);
        if (comparison == StringFilterComparison.PREFIX)
            throw Inspector2Errors.Validation($"{filter}: PREFIX is not supported on resource ids; use EQUALS or NOT_EQUALS with an image ARN.", filter);
        return new AggregationCriterion(field, comparison, ImageKeyOf(call, c.Value));
    }

    /// <summary>"registry/repository@digest" of an image ARN, or "" (which no image has) when the ARN names no image of the account.</summary>
    private static string ImageKeyOf(Inspector2Call call, string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length < 6 || parts[2] != "ecr" || !parts[5].StartsWith("repository/", StringComparison.Ordinal)) return "";
        var path = parts[5]["repository/".Length..];
        var at = path.LastIndexOf("/sha256:", StringComparison.Ordinal);
        var registry = call.Registries.All.FirstOrDefault(r => r.RegistryId == parts[4]);
        return at <= 0 || registry is null || parts[3] != call.Account.Region ? "" : $"{registry.Name}/{path[..at]}@{path[(at + 1)..]}";
    }

    /// <summary>titleAggregation's resourceType and findingType: every finding here is a container image's package vulnerability.</summary>
    private static bool OnlyContainerImagePackages(JsonObject aggregation) =>
        Text(aggregation, "resourceType", "AWS_ECR_CONTAINER_IMAGE") == "AWS_ECR_CONTAINER_IMAGE"
        && Text(aggregation, "findingType", "PACKAGE_VULNERABILITY") == "PACKAGE_VULNERABILITY";

    private static string Text(JsonObject aggregation, string member, string fallback) => aggregation[member] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw Inspector2Errors.Validation($"{member} must be a string.", member),
    };

    private static T EnumMember<T>(JsonObject aggregation, string member, T fallback) where T : struct, System.Enum => aggregation[member] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<string>(out var s) && System.Enum.TryParse<T>(s, false, out var value) && System.Enum.IsDefined(value) => value,
        _ => throw Inspector2Errors.Validation($"{member} must be one of {string.Join(", ", System.Enum.GetNames<T>())}.", member),
    };
}
