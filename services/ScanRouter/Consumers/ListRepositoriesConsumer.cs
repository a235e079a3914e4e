using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>The catalog's repositories with their effective scanning (ScanningRules.Evaluate), image count and last push.</summary>
public sealed class ListRepositoriesConsumer(IImageCatalogStore catalog, IScanningConfigurationStore settings) : IConsumer<ListRepositories>
{
    public async Task Consume(ConsumeContext<ListRepositories> context)
    {
        var registry = context.Message.Registry;
        var configuration = await settings.GetConfigurationAsync(registry, context.CancellationToken);

        // One keyset pass over the registry's images (ordered by repository) instead of one query per repository.
        var stats = new Dictionary<string, (int Count, DateTimeOffset LastPush)>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await catalog.ListImagesAsync(registry, null, new ImagePageRequest(ImagePageRequest.MaxPageSize, token), context.CancellationToken);
            foreach (var image in page.Images)
            {
                stats.TryGetValue(image.Repository, out var s);
                stats[image.Repository] = (s.Count + 1, s.Count == 0 || image.PushedAt > s.LastPush ? image.PushedAt : s.LastPush);
            }
            token = page.NextToken;
        } while (token is not null);

        var repositories = await catalog.ListRepositoriesAsync(registry, context.CancellationToken);
        var summaries = repositories.Select(name =>
        {
            var scanning = ScanningRules.Evaluate(configuration, name);
            var found = stats.TryGetValue(name, out var s);
            return new RepositorySummary(name, scanning.ScanType, scanning.ScanFrequency, scanning.ScanningEnabled, scanning.ScanOnPush,
                scanning.AppliedScanFilters, found ? s.Count : 0, found ? s.LastPush : null);
        }).ToList();
        await context.RespondAsync(new RepositoriesResult(summaries));
    }
}
