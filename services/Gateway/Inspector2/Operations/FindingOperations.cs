using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2.Operations;

/// <summary>ListFindings and BatchGetFindingDetails: the findings Findings keeps, in Inspector's Finding shape (AwsWire's renderer).</summary>
public static partial class FindingOperations
{
    private const int MaxFindingsPage = 100;   // ListFindingsMaxResults
    private const int MaxDetailArns = 10;      // FindingArnList

    /// <summary>
    /// Inspector's SortField → what the store orders by. Fields that are the same for every finding here (one account, only
    /// PACKAGE_VULNERABILITY findings on AWS_ECR_CONTAINER_IMAGE resources, no network or code findings, no push date or EPSS
    /// known to Findings) order by the stable finding id, so paging by them is still exact. ECR_IMAGE_REGISTRY orders by the
    /// registry's platform name.
    /// </summary>
    private static readonly Dictionary<string, FindingSortField> SortFields = new(StringComparer.Ordinal)
    {
        ["SEVERITY"] = FindingSortField.SEVERITY,
        ["FIRST_OBSERVED_AT"] = FindingSortField.FIRST_OBSERVED_AT,
        ["LAST_OBSERVED_AT"] = FindingSortField.LAST_OBSERVED_AT,
        ["ECR_IMAGE_REPOSITORY_NAME"] = FindingSortField.ECR_IMAGE_REPOSITORY_NAME,
        ["VULNERABILITY_ID"] = FindingSortField.VULNERABILITY_ID,
        ["FINDING_STATUS"] = FindingSortField.FINDING_STATUS,
        ["ECR_IMAGE_REGISTRY"] = FindingSortField.ECR_IMAGE_REGISTRY,
        ["AWS_ACCOUNT_ID"] = FindingSortField.FINDING_ARN,
        ["FINDING_TYPE"] = FindingSortField.FINDING_ARN,
        ["RESOURCE_TYPE"] = FindingSortField.FINDING_ARN,
        ["NETWORK_PROTOCOL"] = FindingSortField.FINDING_ARN,
        ["COMPONENT_TYPE"] = FindingSortField.FINDING_ARN,
        ["ECR_IMAGE_PUSHED_AT"] = FindingSortField.FINDING_ARN,
        ["EPSS_SCORE"] = FindingSortField.FINDING_ARN,
    };

    /// <summary>SortField values the store has no column for yet.</summary>
    private static readonly string[] UnsupportedSortFields = ["INSPECTOR_SCORE", "VENDOR_SEVERITY", "VULNERABILITY_SOURCE"];

    public static async Task<JsonObject> ListFindingsAsync(Inspector2Call call)
    {
        var request = call.Request;
        var maxResults = request.MaxResults(MaxFindingsPage, MaxFindingsPage);
        var criteria = request.Object("filterCriteria") is { } json ? Inspector2Criteria.Parse(json, "filterCriteria") : null;
        var (field, order) = (FindingSortField.SEVERITY, SortOrder.DESC); // most severe first when no sort is asked for
        if (request.Object("sortCriteria") is { } sort)
        {
            var name = (string?)Member(sort, "field") ?? throw Inspector2Errors.Validation("sortCriteria.field is required.", "sortCriteria.field");
            if (UnsupportedSortFields.Contains(name))
                throw Inspector2Errors.Validation($"Sorting by {name} is not supported by this platform.", "sortCriteria.field");
            if (!SortFields.TryGetValue(name, out field))
                throw Inspector2Errors.Validation($"'{name}' is not a SortField.", "sortCriteria.field");
            order = (string?)Member(sort, "sortOrder") switch
            {
                "ASC" => SortOrder.ASC,
                "DESC" => SortOrder.DESC,
                _ => throw Inspector2Errors.Validation("sortCriteria.sortOrder must be ASC or DESC.", "sortCriteria.sortOrder"),
            };
        }
        var nextToken = request.String("nextToken") is { Length: > 0 } t ? t : null;
        var page = await call.AskAsync<ListFindings, FindingsPage>(new ListFindings(new FindingFilter(), field, order, maxResults, nextToken, criteria));
        if (page.ErrorMessage is not null) throw Inspector2Errors.Validation(page.ErrorMessage, nextToken is null ? null : "nextToken");
        var account = call.Account;
        var response = new JsonObject
        {
            ["findings"] = new JsonArray(page.Findings.Select(f => (JsonNode?)InspectorFindingJson.Render(f, account, InspectorFindingForm.Inspector2Api)).ToArray()),
        };
        if (page.NextToken is not null) response["nextToken"] = page.NextToken;
        return response;
    }

    public static async Task<JsonObject> BatchGetFindingDetailsAsync(Inspector2Call call)
    {
        var list = call.Request.Array("findingArns") ?? throw Inspector2Errors.Validation("findingArns is required.", "findingArns");
        if (list.Count is 0 or > MaxDetailArns)
            throw Inspector2Errors.Validation($"findingArns must hold 1 to {MaxDetailArns} ARNs.", "findingArns");
        var arns = list.Select(a => a is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw Inspector2Errors.Validation("findingArns must be a list of strings.", "findingArns")).ToList();
        var valid = arns.Where(a => FindingArnPattern().IsMatch(a)).Distinct(StringComparer.Ordinal).ToList();
        var found = valid.Count == 0 ? [] : (await call.AskAsync<GetFindingsByArn, FindingsByArn>(new GetFindingsByArn(valid))).Findings;
        var byArn = found.ToDictionary(f => f.FindingArn, StringComparer.Ordinal);

        var details = new JsonArray();
        var errors = new JsonArray();
        foreach (var arn in arns.Distinct(StringComparer.Ordinal))
        {
            if (byArn.TryGetValue(arn, out var finding)) details.Add(Detail(finding));
            else if (!valid.Contains(arn))
                errors.Add(Error(arn, "INVALID_INPUT", "The finding ARN is not an Inspector finding ARN."));
            else errors.Add(Error(arn, "FINDING_DETAILS_NOT_FOUND", "No finding with this ARN."));
        }
        return new JsonObject { ["findingDetails"] = details, ["errors"] = errors };
    }

    /// <summary>
    /// What the platform knows of a finding's vulnerability: its reference URLs (the advisory's). No CWEs, CISA, EPSS or threat
    /// intelligence are imported, so those members are absent rather than made up.
    /// </summary>
    private static JsonObject Detail(FindingDetail finding)
    {
        var detail = new JsonObject { ["findingArn"] = finding.FindingArn };
        if (finding.Finding.SourceUrl is { Length: > 0 } url) detail["referenceUrls"] = new JsonArray(url);
        return detail;
    }

    private static JsonObject Error(string arn, string code, string message) =>
        new() { ["findingArn"] = arn, ["errorCode"] = code, ["errorMessage"] = message };

    private static JsonNode? Member(JsonObject json, string name) => json[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out _) => v,
        _ => throw Inspector2Errors.Validation($"sortCriteria.{name} must be a string.", $"sortCriteria.{name}"),
    };

    /// <summary>FindingArn of the model.</summary>
    [GeneratedRegex(@"^arn:(aws[a-zA-Z-]*)?:inspector2:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:finding/[a-f0-9]{32}$")]
    private static partial Regex FindingArnPattern();
}
