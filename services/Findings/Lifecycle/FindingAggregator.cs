using System.Globalization;
using ImageScanning.Contracts;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>ListFindingAggregations (INTERFACES §2.4) folded from the store's grouped counts.</summary>
public static class FindingAggregator
{
    public static async Task<FindingAggregationsPage> AggregateAsync(IFindingLifecycleStore store, ListFindingAggregations request, CancellationToken cancellationToken)
    {
        if (request.MaxResults is < 1 or > 100) return Error(request, "maxResults must be between 1 and 100.");
        var offset = 0;
        if (request.NextToken is not null && !TryDecode(request.NextToken, request.AggregationType, out offset))
            return Error(request, "The nextToken is invalid or was issued for a different aggregation.");
        if (request.SortBy == AggregationSortBy.AFFECTED_IMAGES && request.AggregationType != FindingAggregationType.REPOSITORY)
            return Error(request, "sortBy AFFECTED_IMAGES applies to the REPOSITORY aggregation only.");
        if (AggregationCriteria.Unsupported(request) is { } unsupported) return Error(request, unsupported);

        // Inspector aggregates the findings that need attention: ACTIVE unless the caller asks otherwise.
        var filter = request.Filter.Statuses is { Count: > 0 } ? request.Filter : request.Filter with { Statuses = [FindingStatus.ACTIVE] };
        var key = request.AggregationType switch
        {
            FindingAggregationType.IMAGE_LAYER => FindingCountKey.LayerHash,
            FindingAggregationType.PACKAGE => FindingCountKey.PackageName,
            FindingAggregationType.TITLE => FindingCountKey.VulnerabilityId,
            _ => FindingCountKey.None,
        };
        var rows = request.AggregationType == FindingAggregationType.TITLE && request.ByFindingTitle
            ? await AggregationCriteria.TitleRowsAsync(store, filter, cancellationToken)
            : await store.CountAsync(filter, key, cancellationToken);
        var buckets = rows.Where(r => AggregationCriteria.Admits(request.Criteria, request.AggregationType, r)).GroupBy(r => BucketOf(request.AggregationType, r))
            .Select(g => g.Key with
            {
                SeverityCounts = Counts(g),
                AffectedImages = request.AggregationType == FindingAggregationType.REPOSITORY ? g.Select(r => r.Digest).Distinct().LongCount() : null,
            });
        Func<FindingAggregationBucket, long> measure = request.SortBy switch
        {
            AggregationSortBy.CRITICAL => b => b.SeverityCounts.Critical,
            AggregationSortBy.HIGH => b => b.SeverityCounts.High,
            AggregationSortBy.AFFECTED_IMAGES => b => b.AffectedImages ?? 0,
            _ => b => b.SeverityCounts.All,
        };
        var ordered = (request.SortOrder == SortOrder.ASC ? buckets.OrderBy(measure) : buckets.OrderByDescending(measure))
            .ThenBy(Name, StringComparer.Ordinal).ToList();
        var page = ordered.Skip(offset).Take(request.MaxResults).ToList();
        var next = offset + page.Count < ordered.Count ? Encode(request.AggregationType, offset + page.Count) : null;
        return new FindingAggregationsPage(request.AggregationType, page, next);
    }

    private static FindingAggregationBucket BucketOf(FindingAggregationType type, FindingCountRow r)
    {
        var none = new SeverityCounts(0, 0, 0, 0);
        return type switch
        {
            FindingAggregationType.REPOSITORY => new(r.Registry, r.Repository, null, null, null, null, none, null),
            FindingAggregationType.AWS_ECR_CONTAINER => new(r.Registry, r.Repository, r.Digest, null, null, null, none, null),
            FindingAggregationType.IMAGE_LAYER => new(r.Registry, r.Repository, r.Digest, r.Key, null, null, none, null),
            FindingAggregationType.PACKAGE => new(null, null, null, null, r.Key, null, none, null),
            _ => new(null, null, null, null, null, r.Key, none, null, r.Title),
        };
    }

    private static SeverityCounts Counts(IEnumerable<FindingCountRow> rows)
    {
        long all = 0, medium = 0, high = 0, critical = 0;
        foreach (var r in rows)
        {
            all += r.Count;
            if (r.Severity == FindingSeverity.MEDIUM) medium += r.Count;
            else if (r.Severity == FindingSeverity.HIGH) high += r.Count;
            else if (r.Severity == FindingSeverity.CRITICAL) critical += r.Count;
        }
        return new SeverityCounts(all, medium, high, critical);
    }

    private static string Name(FindingAggregationBucket b) =>
        string.Join('\u0001', b.Registry, b.Repository, b.ImageDigest, b.LayerHash, b.PackageName, b.VulnerabilityId, b.Title);

    private static string Encode(FindingAggregationType type, int offset) => $"{type}:{offset.ToString(CultureInfo.InvariantCulture)}";

    private static bool TryDecode(string token, FindingAggregationType type, out int offset)
    {
        offset = 0;
        var prefix = type + ":";
        return token.StartsWith(prefix, StringComparison.Ordinal)
               && int.TryParse(token.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    private static FindingAggregationsPage Error(ListFindingAggregations request, string message) =>
        new(request.AggregationType, [], null, message);
}
