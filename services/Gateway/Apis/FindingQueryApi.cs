using System.Text.Json.Nodes;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;
using MassTransit;

namespace ImageScanning.Gateway.Apis;

/// <summary>Inspector-style finding queries: ListFindings and ListFindingAggregations as REST (Findings answers over the bus).</summary>
public static class FindingQueryApi
{
    private static readonly Dictionary<string, FindingSortField> SortFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["severity"] = FindingSortField.SEVERITY,
        ["lastObservedAt"] = FindingSortField.LAST_OBSERVED_AT,
        ["firstObservedAt"] = FindingSortField.FIRST_OBSERVED_AT,
        ["updatedAt"] = FindingSortField.UPDATED_AT,
        ["vulnerabilityId"] = FindingSortField.VULNERABILITY_ID,
        ["repository"] = FindingSortField.ECR_IMAGE_REPOSITORY_NAME,
        ["package"] = FindingSortField.PACKAGE_NAME,
    };

    private static readonly Dictionary<string, FindingAggregationType> AggregationTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["repository"] = FindingAggregationType.REPOSITORY,
        ["image"] = FindingAggregationType.AWS_ECR_CONTAINER,
        ["imageLayer"] = FindingAggregationType.IMAGE_LAYER,
        ["package"] = FindingAggregationType.PACKAGE,
        ["vulnerability"] = FindingAggregationType.TITLE,
    };

    public static RouteGroupBuilder MapFindingQueryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/findings", ListFindings).WithTags("Findings")
            .WithSummary("Findings with their lifecycle, filtered, sorted and paged (Inspector ListFindings).")
            .Produces<JsonObject>().Produces(StatusCodes.Status400BadRequest);
        api.MapGet("/findings/aggregations/{aggregation}", ListAggregations).WithTags("Findings")
            .WithSummary("Counts per severity by repository, image, imageLayer, package or vulnerability (Inspector ListFindingAggregations).")
            .Produces<JsonObject>().Produces(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<IResult> ListFindings(
        string? severity, string? status, string? vulnerabilityId, string? package, string? registry, string? repository,
        string? imageDigest, string? fixAvailable, string? layerHash, string? sortBy, string? sortOrder, string? maxResults, string? nextToken,
        IRequestClient<ListFindings> client, AwsAccount account, CancellationToken ct)
    {
        if (!FindingFilterParameters.TryParse(severity, status, vulnerabilityId, package, registry, repository, imageDigest, fixAvailable, layerHash,
                out var filter, out var error)
            || !FindingFilterParameters.TryParseMaxResults(maxResults, 100, out var limit, out error))
            return Invalid(error);
        var field = FindingSortField.SEVERITY;
        if (sortBy is not null && !SortFields.TryGetValue(sortBy, out field))
            return Invalid($"'{sortBy}' is not a valid sortBy; expected one of {string.Join(", ", SortFields.Keys)}.");
        if (!TryParseOrder(sortOrder, out var order)) return Invalid("sortOrder must be ASC or DESC.");

        var response = await client.GetResponse<FindingsPage>(new ListFindings(filter, field, order, limit, nextToken), ct);
        var page = response.Message;
        if (page.ErrorMessage is not null) return Invalid(page.ErrorMessage);
        return Results.Json(new JsonObject
        {
            ["findings"] = new JsonArray(page.Findings.Select(f => (JsonNode?)RestFinding(f, account)).ToArray()),
            ["nextToken"] = page.NextToken,
        });
    }

    private static async Task<IResult> ListAggregations(
        string aggregation, string? severity, string? status, string? vulnerabilityId, string? package, string? registry, string? repository,
        string? imageDigest, string? fixAvailable, string? layerHash, string? sortBy, string? sortOrder, string? maxResults, string? nextToken,
        IRequestClient<ListFindingAggregations> client, AwsAccount account, CancellationToken ct)
    {
        if (!AggregationTypes.TryGetValue(aggregation, out var type))
            return Invalid($"'{aggregation}' is not an aggregation; expected one of {string.Join(", ", AggregationTypes.Keys)}.");
        if (!FindingFilterParameters.TryParse(severity, status, vulnerabilityId, package, registry, repository, imageDigest, fixAvailable, layerHash,
                out var filter, out var error)
            || !FindingFilterParameters.TryParseMaxResults(maxResults, 100, out var limit, out error))
            return Invalid(error);
        var by = AggregationSortBy.ALL;
        if (sortBy is not null && !FindingFilterParameters.TryParseEnum(sortBy, out by))
            return Invalid("sortBy must be one of CRITICAL, HIGH, ALL, AFFECTED_IMAGES.");
        if (!TryParseOrder(sortOrder, out var order)) return Invalid("sortOrder must be ASC or DESC.");

        var response = await client.GetResponse<FindingAggregationsPage>(new ListFindingAggregations(type, filter, by, order, limit, nextToken), ct);
        var page = response.Message;
        if (page.ErrorMessage is not null) return Invalid(page.ErrorMessage);
        return Results.Json(new JsonObject
        {
            ["aggregationType"] = type.ToString(),
            ["responses"] = new JsonArray(page.Responses
                .Select(b => (JsonNode?)InspectorAggregationJson.Response(type, b, account, InspectorFindingForm.RestApi)).ToArray()),
            ["nextToken"] = page.NextToken,
        });
    }

    /// <summary>Inspector's Finding, plus what only the platform keeps: the suppression rule that suppressed it and when it closed.</summary>
    private static JsonObject RestFinding(FindingDetail finding, AwsAccount account)
    {
        var json = InspectorFindingJson.Render(finding, account, InspectorFindingForm.RestApi);
        json["suppressedBy"] = finding.SuppressedByRuleId;
        json["closedAt"] = InspectorTimestamps.Render(finding.ClosedAt, InspectorFindingForm.RestApi);
        return json;
    }

    private static bool TryParseOrder(string? value, out SortOrder order)
    {
        order = SortOrder.DESC;
        return value is null || FindingFilterParameters.TryParseEnum(value, out order);
    }

    /// <summary>Inspector's ValidationException, in the API's error shape.</summary>
    private static IResult Invalid(string message) => ApiErrors.Error("ValidationException", message);
}
