using System.Globalization;
using System.Text.Json.Nodes;

namespace ImageScanning.Gateway.Inspector2;

/// <summary>One string filter of a criteria list: <c>{comparison, value}</c>.</summary>
public sealed record StringCriterion(string Comparison, string Value);

/// <summary>One date filter of a criteria list: <c>{startInclusive, endInclusive}</c>, either side open.</summary>
public sealed record DateCriterion(DateTimeOffset? StartInclusive, DateTimeOffset? EndInclusive)
{
    public bool Matches(DateTimeOffset? time) =>
        time is { } t && (StartInclusive is not { } start || t >= start) && (EndInclusive is not { } end || t <= end);
}

/// <summary>
/// Reads the criteria lists of Inspector2's request structures (coverage, SBOM export and aggregation filters), validating each
/// element as the model does: a comparison of the allowed set, a value, at most 10 elements per list.
/// </summary>
public static class Inspector2FilterLists
{
    public const int MaxElements = 10;

    public static IReadOnlyList<StringCriterion> Strings(JsonObject criteria, string member, IReadOnlyCollection<string> comparisons)
    {
        var list = List(criteria, member);
        return list.Select(node =>
        {
            var element = node as JsonObject ?? throw Inspector2Errors.Validation($"Each element of {member} must be a structure.", member);
            var comparison = Text(element, "comparison", member);
            if (!comparisons.Contains(comparison))
                throw Inspector2Errors.Validation(
                    $"{member}: comparison '{comparison}' is not one of {string.Join(", ", comparisons)}.", member);
            return new StringCriterion(comparison, Text(element, "value", member));
        }).ToList();
    }

    public static IReadOnlyList<DateCriterion> Dates(JsonObject criteria, string member) =>
        List(criteria, member).Select(node =>
        {
            var element = node as JsonObject ?? throw Inspector2Errors.Validation($"Each element of {member} must be a structure.", member);
            return new DateCriterion(Time(element["startInclusive"], member), Time(element["endInclusive"], member));
        }).ToList();

    /// <summary>
    /// String criteria of one field combined as Inspector combines them: EQUALS values match any of them, NOT_EQUALS values
    /// exclude theirs. A resource with several values (image tags) matches when one of them is equal and none is excluded.
    /// </summary>
    public static bool Matches(IReadOnlyList<StringCriterion> criteria, IReadOnlyCollection<string> values)
    {
        if (criteria.Count == 0) return true;
        var equals = criteria.Where(c => c.Comparison == "EQUALS").Select(c => c.Value).ToList();
        if (equals.Count > 0 && !values.Any(equals.Contains)) return false;
        if (criteria.Any(c => c.Comparison == "NOT_EQUALS" && values.Contains(c.Value))) return false;
        if (criteria.Any(c => c.Comparison == "PREFIX") && !criteria.Where(c => c.Comparison == "PREFIX")
                .Any(c => values.Any(v => v.StartsWith(c.Value, StringComparison.Ordinal)))) return false;
        return true;
    }

    public static bool Matches(IReadOnlyList<StringCriterion> criteria, string? value) => Matches(criteria, value is null ? [] : [value]);

    public static bool Matches(IReadOnlyList<DateCriterion> criteria, DateTimeOffset? time) => criteria.Count == 0 || criteria.Any(c => c.Matches(time));

    /// <summary>The single value an EQUALS-only list names, or null (several values, other comparisons, or none).</summary>
    public static string? SingleEquals(IReadOnlyList<StringCriterion> criteria)
    {
        var equals = criteria.Where(c => c.Comparison == "EQUALS").Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
        return equals.Count == 1 ? equals[0] : null;
    }

    private static JsonArray List(JsonObject criteria, string member)
    {
        var list = criteria[member] switch
        {
            null => [],
            JsonArray a => a,
            _ => throw Inspector2Errors.Validation($"{member} must be a list.", member),
        };
        if (list.Count > MaxElements)
            throw Inspector2Errors.Validation($"{member} holds {list.Count} filters; at most {MaxElements} are allowed.", member);
        return list;
    }

    private static string Text(JsonObject element, string name, string member) => element[name] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
        null => throw Inspector2Errors.Validation($"{member}: each filter needs its {name}.", member),
        _ => throw Inspector2Errors.Validation($"{member}: {name} must be a non-empty string.", member),
    };

    /// <summary>A REST-JSON timestamp: epoch seconds (what the SDKs send) or an ISO 8601 string.</summary>
    private static DateTimeOffset? Time(JsonNode? node, string member) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)),
        JsonValue v when v.TryGetValue<string>(out var s)
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
        _ => throw Inspector2Errors.Validation($"{member}: startInclusive and endInclusive must be timestamps.", member),
    };
}
