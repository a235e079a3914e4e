using ImageScanning.Contracts;

namespace ImageScanning.AwsWire;

/// <summary>
/// Inspector's filter language, decided once for every operation that takes it (ListFindings and filters, aggregations,
/// coverage): within one member, EQUALS and PREFIX filters OR together and NOT_EQUALS filters AND together (a member with both
/// needs one positive filter to hold and every NOT_EQUALS to hold); date and number ranges are inclusive, an absent end open,
/// and any range of a member may hold. An attribute the resource lacks matches no positive filter and no range.
/// </summary>
public static class InspectorFilterMatch
{
    /// <summary>Whether one string member holds for a single-valued attribute (null: the resource has none).</summary>
    public static bool Holds(IReadOnlyList<StringFilter>? filters, string? value) => Holds(filters, value is null ? [] : [value]);

    /// <summary>Whether one string member holds for a multi-valued attribute (image tags, aliases): a positive filter for any value, no excluded value.</summary>
    public static bool Holds(IReadOnlyList<StringFilter>? filters, IReadOnlyCollection<string> values)
    {
        if (filters is not { Count: > 0 }) return true;
        var positives = filters.Where(x => x.Comparison != StringFilterComparison.NOT_EQUALS).ToList();
        var anyPositive = positives.Count == 0 || positives.Any(x => values.Any(v => Holds(x, v)));
        var allNegatives = filters.Where(x => x.Comparison == StringFilterComparison.NOT_EQUALS)
            .All(x => !values.Contains(x.Value, StringComparer.Ordinal));
        return anyPositive && allNegatives;
    }

    public static bool Holds(IReadOnlyList<DateFilter>? filters, DateTimeOffset? value) =>
        filters is not { Count: > 0 } || (value is { } v && filters.Any(d => (d.StartInclusive is null || v >= d.StartInclusive) && (d.EndInclusive is null || v <= d.EndInclusive)));

    public static bool Holds(IReadOnlyList<NumberFilter>? filters, double? value) =>
        filters is not { Count: > 0 } || (value is { } v && filters.Any(n => (n.LowerInclusive is null || v >= n.LowerInclusive) && (n.UpperInclusive is null || v <= n.UpperInclusive)));

    private static bool Holds(StringFilter filter, string value) => filter.Comparison switch
    {
        StringFilterComparison.EQUALS => string.Equals(value, filter.Value, StringComparison.Ordinal),
        StringFilterComparison.PREFIX => value.StartsWith(filter.Value, StringComparison.Ordinal),
        _ => !string.Equals(value, filter.Value, StringComparison.Ordinal),
    };
}
