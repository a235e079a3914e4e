using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// ListFindings with Inspector's criteria. The selective parts the store indexes (status, severity, repository, image digest) go
/// down into its <see cref="FindingFilter"/>, so a page is not built by scanning everything; <see cref="FindingCriteriaMatcher"/>
/// then decides every row of the store's keyset pages (all of the criteria, the pushed-down parts included). A page is short only
/// at the end: when it is full, the scan goes on until one more match shows there is a next page, and nextToken resumes right
/// after the last finding returned (the rows examined past it did not match).
/// </summary>
public static class FindingCriteriaQuery
{
    /// <summary>Rows asked of the store at a time while filtering.</summary>
    public const int ChunkSize = 500;

    /// <param name="chunkSize">Rows asked of the store at a time (tests make it small to cross chunk boundaries).</param>
    public static async Task<FindingsPage> QueryAsync(
        IFindingLifecycleStore store, ListFindings query, AwsAccount account, CancellationToken cancellationToken, int chunkSize = ChunkSize)
    {
        if (query.Criteria is not { } criteria) return await store.QueryAsync(query, cancellationToken);
        if (PushDown(query.Filter, criteria) is not { } filter) return new FindingsPage([], null);

        var found = new List<FindingDetail>(query.MaxResults);
        var token = query.NextToken;
        while (true)
        {
            var chunk = await store.QueryAsync(query with { Filter = filter, MaxResults = chunkSize, NextToken = token, Criteria = null }, cancellationToken);
            if (chunk.ErrorMessage is not null) return chunk;
            foreach (var row in chunk.Findings)
            {
                if (!FindingCriteriaMatcher.Matches(criteria, CriteriaSubject.Of(row), account)) continue;
                if (found.Count == query.MaxResults)
                    return new FindingsPage(found, FindingPageToken.After(found[^1], query.SortBy, query.SortOrder));
                found.Add(row);
            }
            if (chunk.NextToken is null) return new FindingsPage(found, null);
            token = chunk.NextToken;
        }
    }

    /// <summary>
    /// The store filter that selects a superset of what the criteria match, or null when nothing can match (a status or severity
    /// member no value satisfies). Members the caller's filter already sets stay as they are.
    /// </summary>
    public static FindingFilter? PushDown(FindingFilter filter, FindingCriteria criteria)
    {
        if (criteria.FindingStatus is { Count: > 0 } && filter.Statuses is null)
        {
            var statuses = Enum.GetValues<FindingStatus>().Where(v => FindingCriteriaMatcher.Str(criteria.FindingStatus, v.ToString())).ToList();
            if (statuses.Count == 0) return null;
            filter = filter with { Statuses = statuses };
        }
        if (criteria.Severity is { Count: > 0 } && filter.Severities is null)
        {
            var severities = Enum.GetValues<FindingSeverity>()
                .Where(v => FindingCriteriaMatcher.Str(criteria.Severity, InspectorFindingJson.Severity(v))).ToList();
            if (severities.Count == 0) return null;
            filter = filter with { Severities = severities };
        }
        if (filter.Repository is null && filter.Repositories is null && criteria.EcrImageRepositoryName is { Count: > 0 } repositories)
        {
            if (repositories.All(r => r.Comparison == StringFilterComparison.EQUALS))
                filter = filter with { Repositories = repositories.Select(r => r.Value).Distinct().ToList() };
            else if (repositories is [{ Comparison: StringFilterComparison.PREFIX } prefix] && !prefix.Value.Contains('*'))
                filter = filter with { Repository = prefix.Value + "*" };
        }
        if (filter.ImageDigest is null && filter.ImageDigests is null && criteria.EcrImageHash is { Count: > 0 } digests
            && digests.All(d => d.Comparison == StringFilterComparison.EQUALS))
            filter = filter with { ImageDigests = digests.Select(d => d.Value).Distinct().ToList() };
        return filter;
    }
}
