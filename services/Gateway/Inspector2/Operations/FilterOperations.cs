using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2.Operations;

/// <summary>
/// CreateFilter / ListFilters / UpdateFilter / DeleteFilter over Findings' suppression rules: a filter is a rule with Inspector's
/// criteria. SUPPRESS turns what it matches SUPPRESSED (ACTIVE again once it is deleted); NONE is a saved filter that suppresses
/// nothing. Rules made through the REST API show up here too, their filter in Inspector's terms.
/// </summary>
public static class FilterOperations
{
    private const int MaxName = 128, MaxText = 512, MaxTagKey = 128, MaxTagValue = 256, MaxFiltersPage = 100;

    public static async Task<JsonObject> CreateFilterAsync(Inspector2Call call)
    {
        var request = call.Request;
        var action = Action(request.String("action") ?? throw Inspector2Errors.Validation("action is required.", "action"));
        var criteria = Inspector2Criteria.Parse(
            request.Object("filterCriteria") ?? throw Inspector2Errors.Validation("filterCriteria is required.", "filterCriteria"), "filterCriteria");
        var name = Text(request.String("name") ?? throw Inspector2Errors.Validation("name is required.", "name"), "name", MaxName);
        var rule = await SaveAsync(call, new SaveSuppressionRule(null, name, Optional(request, "reason") ?? "", null, null, criteria, action,
            Optional(request, "description"), Tags(request.Object("tags"))));
        return new JsonObject { ["arn"] = call.Account.FilterArn(rule.Id) };
    }

    public static async Task<JsonObject> UpdateFilterAsync(Inspector2Call call)
    {
        var request = call.Request;
        var arn = request.String("filterArn") ?? throw Inspector2Errors.Validation("filterArn is required.", "filterArn");
        var existing = await FindAsync(call, arn);
        var criteria = request.Object("filterCriteria") is { } json ? Inspector2Criteria.Parse(json, "filterCriteria") : null;
        var action = request.String("action") is { } a ? Action(a) : existing.Action;
        var name = request.String("name") is { } n ? Text(n, "name", MaxName) : existing.Name;
        // A rule of the REST API's form keeps its filter until criteria replace it.
        var (filter, newCriteria) = criteria is null ? (existing.Filter, existing.Criteria) : (null, criteria);
        var rule = await SaveAsync(call, new SaveSuppressionRule(existing.Id, name, Optional(request, "reason") ?? existing.Reason, filter,
            existing.ExpiresAt, newCriteria, action, Optional(request, "description") ?? existing.Description, existing.Tags));
        return new JsonObject { ["arn"] = call.Account.FilterArn(rule.Id) };
    }

    public static async Task<JsonObject> DeleteFilterAsync(Inspector2Call call)
    {
        var arn = call.Request.String("arn") ?? throw Inspector2Errors.Validation("arn is required.", "arn");
        var id = IdOf(call, arn) ?? throw NotFound(arn);
        var result = await call.AskAsync<DeleteSuppressionRule, SuppressionRulesResult>(new DeleteSuppressionRule(id));
        if (result.NotFound) throw NotFound(arn);
        if (result.ErrorMessage is not null) throw Inspector2Errors.Validation(result.ErrorMessage);
        return new JsonObject { ["arn"] = arn };
    }

    public static async Task<JsonObject> ListFiltersAsync(Inspector2Call call)
    {
        var request = call.Request;
        var maxResults = request.MaxResults(MaxFiltersPage, MaxFiltersPage);
        var action = request.String("action") is { } a ? Action(a) : (FilterAction?)null;
        var arns = request.Array("arns")?.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw Inspector2Errors.Validation("arns must be a list of strings.", "arns")).ToHashSet(StringComparer.Ordinal);
        var account = call.Account;
        var rules = (await call.AskAsync<ListSuppressionRules, SuppressionRulesResult>(new ListSuppressionRules())).Rules
            .Where(r => action is null || r.Action == action)
            .Where(r => arns is null || arns.Contains(account.FilterArn(r.Id)))
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        // Keyset on (createdAt, id), the rules' own order: a rule deleted between pages does not shift the next page.
        if (request.String("nextToken") is { Length: > 0 } token)
        {
            var (createdAt, id) = DecodeToken(token);
            rules = rules.SkipWhile(r => r.CreatedAt.ToUnixTimeMilliseconds() < createdAt
                || (r.CreatedAt.ToUnixTimeMilliseconds() == createdAt && string.CompareOrdinal(r.Id, id) <= 0)).ToList();
        }
        var page = rules.Take(maxResults).ToList();
        var response = new JsonObject { ["filters"] = new JsonArray(page.Select(r => (JsonNode?)Render(r, call)).ToArray()) };
        if (rules.Count > maxResults) response["nextToken"] = EncodeToken(page[^1]);
        return response;
    }

    private static JsonObject Render(SuppressionRule rule, Inspector2Call call)
    {
        var account = call.Account;
        var criteria = rule.Criteria ?? (rule.Filter is { } filter ? Inspector2Criteria.FromSuppressionFilter(filter) : new FindingCriteria());
        var json = new JsonObject
        {
            ["arn"] = account.FilterArn(rule.Id),
            ["ownerId"] = account.AccountId,
            ["name"] = rule.Name,
            ["criteria"] = Inspector2Criteria.Render(criteria),
            ["action"] = rule.Action.ToString(),
            ["createdAt"] = InspectorTimestamps.EpochSeconds(rule.CreatedAt),
            ["updatedAt"] = InspectorTimestamps.EpochSeconds(rule.UpdatedAt),
        };
        if (rule.Description is { Length: > 0 } description) json["description"] = description;
        if (rule.Reason is { Length: > 0 } reason) json["reason"] = reason;
        if (rule.Tags is { Count: > 0 } tags) json["tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value)));
        return json;
    }

    private static async Task<SuppressionRule> SaveAsync(Inspector2Call call, SaveSuppressionRule save)
    {
        var result = await call.AskAsync<SaveSuppressionRule, SuppressionRulesResult>(save);
        if (result.NotFound) throw NotFound(call.Account.FilterArn(save.Id ?? ""));
        if (result.ErrorMessage is not null) throw Inspector2Errors.Validation(result.ErrorMessage);
        return result.Rules[0];
    }

    private static async Task<SuppressionRule> FindAsync(Inspector2Call call, string arn)
    {
        var id = IdOf(call, arn) ?? throw NotFound(arn);
        var rules = (await call.AskAsync<ListSuppressionRules, SuppressionRulesResult>(new ListSuppressionRules())).Rules;
        return rules.FirstOrDefault(r => r.Id == id) ?? throw NotFound(arn);
    }

    /// <summary>The rule id a filter ARN of this account names, or null for any other ARN.</summary>
    private static string? IdOf(Inspector2Call call, string arn)
    {
        var prefix = call.Account.FilterArn("");
        return arn.StartsWith(prefix, StringComparison.Ordinal) && arn.Length > prefix.Length && !arn[prefix.Length..].Contains('/')
            ? arn[prefix.Length..] : null;
    }

    private static Inspector2Exception NotFound(string arn) => Inspector2Errors.NotFound($"No filter '{arn}'.");

    private static FilterAction Action(string value) => value switch
    {
        "SUPPRESS" => FilterAction.SUPPRESS,
        "NONE" => FilterAction.NONE,
        _ => throw Inspector2Errors.Validation("action must be NONE or SUPPRESS.", "action"),
    };

    private static string? Optional(Inspector2Request request, string member) =>
        request.String(member) is { } value ? Text(value, member, MaxText) : null;

    private static string Text(string value, string member, int max) =>
        value.Length >= 1 && value.Length <= max ? value : throw Inspector2Errors.Validation($"{member} must be 1 to {max} characters.", member);

    private static Dictionary<string, string>? Tags(JsonObject? tags)
    {
        if (tags is null) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) throw Inspector2Errors.Validation("tags values must be strings.", "tags");
            if (key.Length is 0 or > MaxTagKey || text.Length > MaxTagValue)
                throw Inspector2Errors.Validation($"A tag key must be 1 to {MaxTagKey} characters and its value at most {MaxTagValue}.", "tags");
            result[key] = text;
        }
        return result;
    }

    private static string EncodeToken(SuppressionRule last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)} {last.Id}"));

    private static (long CreatedAt, string Id) DecodeToken(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(' ', 2);
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at)) return (at, parts[1]);
        }
        catch (FormatException)
        {
        }
        throw Inspector2Errors.Validation("The nextToken is invalid.", "nextToken");
    }
}
