using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Coverage;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Coverage of a registry's images (one page) and of the repositories on that page, from the catalog and the rules. The first page
/// also holds the created repositories that have no image yet (CreateRepository), so they are covered before their first push.
/// </summary>
public sealed class ListCoverageConsumer(IImageCatalogStore catalog, IScanningConfigurationStore settings, TimeProvider clock) : IConsumer<ListCoverage>
{
    public async Task Consume(ConsumeContext<ListCoverage> context)
    {
        var request = context.Message;
        var config = await settings.GetConfigurationAsync(request.Registry, context.CancellationToken);
        ImagePage page;
        try
        {
            var pageRequest = new ImagePageRequest(request.MaxResults, request.NextToken);
            page = request.Repository is { } repository && !repository.EndsWith('*')
                ? await catalog.ListRepositoryImagesAsync(request.Registry, repository, pageRequest, context.CancellationToken)
                : await catalog.ListImagesAsync(request.Registry, request.Repository?.TrimEnd('*'), pageRequest, context.CancellationToken);
        }
        catch (ArgumentException e)
        {
            await context.RespondAsync(new CoverageResult([], null, e.Message));
            return;
        }
        var repositories = page.Images.Select(i => i.Repository).ToList();
        if (request.NextToken is null)
            repositories.AddRange((await catalog.ListRepositorySummariesAsync(request.Registry, context.CancellationToken))
                .Where(r => r.ImageCount == 0 && Selects(request.Repository, r.Name)).Select(r => r.Name));
        var scanning = repositories.Distinct(StringComparer.Ordinal)
            .ToDictionary(r => r, r => ScanningRules.Evaluate(config, r), StringComparer.Ordinal);
        var resources = scanning.Values.Select(s => CoverageStatus.ForRepository(request.Registry, s))
            .Concat(page.Images.Select(i => CoverageStatus.ForImage(i, scanning[i.Repository], DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))))
            .ToList();
        await context.RespondAsync(new CoverageResult(resources, page.NextToken));
    }

    /// <summary>The request's repository filter as the image listing applies it: none, an exact name, or a prefix ending in '*'.</summary>
    private static bool Selects(string? filter, string repository) => filter switch
    {
        null => true,
        _ when filter.EndsWith('*') => repository.StartsWith(filter.TrimEnd('*'), StringComparison.Ordinal),
        _ => repository == filter,
    };
}
