using ImageScanning.AwsWire;
using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// The Inspector StringFilters of a ListFindingAggregations request applied to the store's grouped counts, and the per-title counts
/// Inspector's titleAggregation groups by (the store has no title column: titles come from the findings themselves).
/// </summary>
public static class AggregationCriteria
{
    private const int TitlePageSize = 1000;

    /// <summary>Which fields the groups of each type carry, so a criterion on any other is refused rather than ignored.</summary>
    public static string? Unsupported(ListFindingAggregations request)
    {
        foreach (var field in (request.Criteria ?? []).Select(c => c.Field).Distinct())
        {
            var carried = field is AggregationField.Registry or AggregationField.Repository or AggregationField.ImageDigest or AggregationField.Image
                || (field, request.AggregationType) switch
                {
                    (AggregationField.LayerHash, FindingAggregationType.IMAGE_LAYER) => true,
                    (AggregationField.PackageName, FindingAggregationType.PACKAGE) => true,
                    (AggregationField.VulnerabilityId, FindingAggregationType.TITLE) => true,
                    (AggregationField.Title, FindingAggregationType.TITLE) => request.ByFindingTitle,
                    _ => false,
                };
            if (!carried) return $"A {field} criterion does not apply to the {request.AggregationType} aggregation.";
        }
        return null;
    }

    public static bool Admits(IReadOnlyList<AggregationCriterion>? criteria, FindingAggregationType type, FindingCountRow row) =>
        criteria is not { Count: > 0 } || criteria.GroupBy(c => c.Field).All(g => Matches(g.ToList(), ValueOf(g.Key, type, row)));

    /// <summary>One row per finding, keyed by vulnerability id with its Inspector title (the same text ListFindings gives).</summary>
    public static async Task<IReadOnlyList<FindingCountRow>> TitleRowsAsync(IFindingLifecycleStore store, FindingFilter filter, CancellationToken cancellationToken)
    {
        var rows = new List<FindingCountRow>();
        string? token = null;
        do
        {
            var page = await store.QueryAsync(new ListFindings(filter, FindingSortField.VULNERABILITY_ID, SortOrder.ASC, TitlePageSize, token), cancellationToken);
            rows.AddRange(page.Findings.Select(f => new FindingCountRow(f.Image.Registry, f.Image.Repository, f.Image.Digest, f.Finding.VulnerabilityId,
                f.Finding.Severity, f.FixAvailable, 1, InspectorFindingJson.Title(f.Finding))));
            token = page.NextToken;
        } while (token is not null);
        return rows;
    }

    private static string? ValueOf(AggregationField field, FindingAggregationType type, FindingCountRow row) => field switch
    {
        AggregationField.Registry => row.Registry,
        AggregationField.Repository => row.Repository,
        AggregationField.ImageDigest => row.Digest,
        AggregationField.Image => $"{row.Registry}/{row.Repository}@{row.Digest}",
        AggregationField.Title => row.Title,
        // The grouped key column is the layer, package or vulnerability of the type (Unsupported refuses the others).
        _ => type is FindingAggregationType.IMAGE_LAYER or FindingAggregationType.PACKAGE or FindingAggregationType.TITLE ? row.Key : null,
    };

    private static bool Matches(List<AggregationCriterion> criteria, string? value) =>
        InspectorFilterMatch.Holds(criteria.Select(c => new StringFilter(c.Comparison, c.Value)).ToList(), value);
}
