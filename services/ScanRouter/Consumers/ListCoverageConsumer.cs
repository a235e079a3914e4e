using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Coverage;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Coverage from the catalog and the rules: a page of a registry's images (with the repositories on that page unless only images
/// are asked for), or every repository of the registry at once (ListCoverage.ResourceType AWS_ECR_REPOSITORY). The first page
/// of images also holds the created repositories that have no image yet (CreateRepository), so they are covered before their first push.
/// </summary>
public sealed class ListCoverageConsumer(IImageCatalogStore catalog, IScanningConfigurationStore settings, TimeProvider clock) : IConsumer<ListCoverage>
{
    public const string RepositoryType = "AWS_ECR_REPOSITORY";
    public const string ImageType = "AWS_ECR_CONTAINER_IMAGE";

    public async Task Consume(ConsumeContext<ListCoverage> context)
    {
        var request = context.Message;
        var config = await settings.GetConfigurationAsync(request.Registry, context.CancellationToken);
        if (request.ResourceType == RepositoryType)
        {
            var summaries = (await catalog.ListRepositorySummariesAsync(request.Registry, context.CancellationToken))
                .Where(r => Selects(request.Repository, r.Name))
                .Select(r => CoverageStatus.ForRepository(request.Registry, ScanningRules.Evaluate(config, r.Name), hasImages: r.ImageCount > 0))
                .ToList();
            await context.RespondAsync(new CoverageResult(summaries, null));
            return;
        }
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
        var empty = new HashSet<string>(StringComparer.Ordinal);
        if (request.NextToken is null)
            empty.UnionWith((await catalog.ListRepositorySummariesAsync(request.Registry, context.CancellationToken))
                .Where(r => r.ImageCount == 0 && Selects(request.Repository, r.Name)).Select(r => r.Name));
        var scanning = repositories.Concat(empty).Distinct(StringComparer.Ordinal)
            .ToDictionary(r => r, r => ScanningRules.Evaluate(config, r), StringComparer.Ordinal);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var images = page.Images.Select(i => CoverageStatus.ForImage(i, scanning[i.Repository], today));
        var resources = request.ResourceType == ImageType
            ? images.ToList()
            : scanning.Values.Select(s => CoverageStatus.ForRepository(request.Registry, s, hasImages: !empty.Contains(s.RepositoryName)))
                .Concat(images).ToList();
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
