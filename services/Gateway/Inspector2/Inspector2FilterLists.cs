using System.Globalization;
using System.Text.Json.Nodes;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Inspector2;

/// <summary>
/// Reads the criteria lists of Inspector2's request structures (coverage, SBOM export and aggregation filters), validating each
/// element as the model does: a comparison of the allowed set, a value, at most 10 elements per list.
/// </summary>
public static class Inspector2FilterLists
{
    public const int MaxElements = 10;

    public static IReadOnlyList<StringFilter> Strings(JsonObject criteria, string member, IReadOnlyCollection<string> comparisons)
    {
        var list = List(criteria, member);
        return list.Select(node =>
        {
            var element = node as JsonObject ?? throw Inspector2Errors.Validation($"Each element of {member} must be a structure.", member);
            var comparison = Text(element, "comparison", member);
            if (!comparisons.Contains(comparison))
                throw Inspector2Errors.Validation(
                    $"{member}: comparison '{comparison}' is not one of {string.Join(", ", comparisons)}.", member);
            return new StringFilter(Enum.Parse<StringFilterComparison>(comparison), Text(element, "value", member));
        }).ToList();
    }

    public static IReadOnlyList<DateFilter> Dates(JsonObject criteria, string member) =>
        List(criteria, member).Select(node =>
        {
            var element = node as JsonObject ?? throw Inspector2Errors.Validation($"Each element of {member} must be a structure.", member);
            return new DateFilter(Time(element["startInclusive"], member), Time(element["endInclusive"], member));
        }).ToList();

    /// <summary>Inspector's semantics for one member (<see cref="InspectorFilterMatch"/>, the matcher ListFindings uses too).</summary>
    public static bool Matches(IReadOnlyList<StringFilter> criteria, IReadOnlyCollection<string> values) => InspectorFilterMatch.Holds(criteria, values);

    public static bool Matches(IReadOnlyList<StringFilter> criteria, string? value) => InspectorFilterMatch.Holds(criteria, value);

    public static bool Matches(IReadOnlyList<DateFilter> criteria, DateTimeOffset? time) => InspectorFilterMatch.Holds(criteria, time);

    /// <summary>The single value an EQUALS-only list names, or null (several values, other comparisons, or none).</summary>
    public static string? SingleEquals(IReadOnlyList<StringFilter> criteria)
    {
        var equals = criteria.Where(c => c.Comparison == StringFilterComparison.EQUALS).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
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
