using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>BatchGetRepositoryScanningConfiguration: each repository's effective scanning, from the rules and its legacy setting.</summary>
public sealed class GetRepositoryScanningConsumer(IImageCatalogStore catalog, IScanningConfigurationStore settings) : IConsumer<GetRepositoryScanning>
{
    public async Task Consume(ConsumeContext<GetRepositoryScanning> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var configuration = await settings.GetConfigurationAsync(m.Registry, ct);
        var found = new List<RepositoryScanningSummary>();
        var notFound = new List<string>();
        foreach (var repository in m.Repositories.Distinct(StringComparer.Ordinal))
        {
            if (!await catalog.RepositoryExistsAsync(m.Registry, repository, ct))
            {
                notFound.Add(repository);
                continue;
            }
            var legacy = await settings.GetRepositoryScanOnPushAsync(m.Registry, repository, ct);
            var scanning = LegacyScanOnPush.Evaluate(configuration, repository, legacy);
            found.Add(new RepositoryScanningSummary(repository, scanning.ScanOnPush, scanning.ScanFrequency, scanning.AppliedScanFilters));
        }
        await context.RespondAsync(new RepositoryScanningResult(found, notFound));
    }
}
