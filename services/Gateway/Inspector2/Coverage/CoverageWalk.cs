using System.Text;
using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Ecr;

namespace ImageScanning.Gateway.Inspector2.Coverage;

/// <summary>
/// Where a coverage listing stands: the registry (by name), whether its repositories or its images are being listed, how many of
/// the registry's matching repositories were already given, and ScanRouter's own token into the images. Handed out as nextToken.
/// </summary>
public sealed record CoveragePosition(string Registry, bool Images, int RepositoriesGiven, string? ImagesToken)
{
    public string Encode() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this));

    public static CoveragePosition Decode(string token)
    {
        try
        {
            return JsonSerializer.Deserialize<CoveragePosition>(Encoding.UTF8.GetString(Convert.FromBase64String(token)))
                ?? throw Invalid();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid();
        }
    }

    private static Inspector2Exception Invalid() => Inspector2Errors.Validation("nextToken is not a token this operation issued.", "nextToken");
}

/// <summary>
/// Walks the coverage of every registry of the account, in order: for each registry its repositories (all at once from ScanRouter,
/// then given out in order), then its images page by page. Filters apply here, so a page may hold fewer than maxResults resources
/// (Inspector's pages may too); the walk stops after a bounded number of ScanRouter requests and hands out its position.
/// </summary>
public sealed class CoverageWalk(Inspector2Call call, CoverageCriteria criteria)
{
    private const int MaxRequestsPerPage = 25;
    private const int ImagePageSize = 200;
    private const string RepositoryType = "AWS_ECR_REPOSITORY";
    private const string ImageType = "AWS_ECR_CONTAINER_IMAGE";

    /// <summary>Up to <paramref name="limit"/> matching resources from <paramref name="token"/> on, and the position after them.</summary>
    public async Task<(List<CoverageItem> Items, string? NextToken)> PageAsync(int limit, string? token, bool bounded = true)
    {
        var registries = call.Registries.All;
        var position = token is null ? null : CoveragePosition.Decode(token);
        var index = position is null ? 0 : IndexOf(registries, position.Registry);
        position ??= registries.Count > 0 ? new CoveragePosition(registries[0].Name, false, 0, null) : null;
        var items = new List<CoverageItem>();
        var requests = 0;
        while (position is not null && items.Count < limit)
        {
            if (bounded && requests >= MaxRequestsPerPage) return (items, position.Encode());
            var registry = registries[index];
            requests++;
            if (!position.Images)
            {
                var repositories = criteria.Admits(RepositoryType) ? (await AskAsync(registry, RepositoryType, 1, null)).Where(criteria.Matches).ToList() : [];
                var given = repositories.Skip(position.RepositoriesGiven).Take(limit - items.Count).ToList();
                items.AddRange(given);
                position = position.RepositoriesGiven + given.Count < repositories.Count
                    ? position with { RepositoriesGiven = position.RepositoriesGiven + given.Count }
                    : position with { Images = true, ImagesToken = null };
                continue;
            }
            if (criteria.Admits(ImageType))
            {
                var page = await AskPageAsync(registry, ImageType, bounded ? limit - items.Count : ImagePageSize, position.ImagesToken);
                items.AddRange(page.Items.Where(criteria.Matches));
                if (page.NextToken is not null)
                {
                    position = position with { ImagesToken = page.NextToken };
                    continue;
                }
            }
            index++;
            position = index < registries.Count ? new CoveragePosition(registries[index].Name, false, 0, null) : null;
        }
        return (items, position?.Encode());
    }

    /// <summary>Every matching resource of the account (ListCoverageStatistics counts them all).</summary>
    public async Task<List<CoverageItem>> AllAsync()
    {
        var (items, _) = await PageAsync(int.MaxValue, null, bounded: false);
        return items;
    }

    private static int IndexOf(IReadOnlyList<EcrRegistry> registries, string name)
    {
        for (var i = 0; i < registries.Count; i++)
            if (registries[i].Name == name) return i;
        throw Inspector2Errors.Validation("nextToken names a registry that is no longer configured: start the listing again.", "nextToken");
    }

    private async Task<List<CoverageItem>> AskAsync(EcrRegistry registry, string type, int maxResults, string? token) =>
        (await AskPageAsync(registry, type, maxResults, token)).Items;

    private async Task<(List<CoverageItem> Items, string? NextToken)> AskPageAsync(EcrRegistry registry, string type, int maxResults, string? token)
    {
        var result = await call.AskAsync<ListCoverage, CoverageResult>(
            new ListCoverage(registry.Name, criteria.Repository, Math.Clamp(maxResults, 1, ImagePageSize), token, type));
        if (result.ErrorMessage is not null) throw Inspector2Errors.Validation(result.ErrorMessage, "nextToken");
        var account = call.Account;
        return (result.CoveredResources.Select(r => new CoverageItem(r,
            r.ImageDigest is { } digest ? account.ImageArn(registry.Name, r.Repository, digest) : account.RepositoryArn(registry.Name, r.Repository),
            registry.RegistryId)).ToList(), result.NextToken);
    }
}
