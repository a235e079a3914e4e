using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>PutImageScanningConfiguration: stores the legacy scanOnPush of a repository the catalog holds.</summary>
public sealed class PutRepositoryScanOnPushConsumer(IImageCatalogStore catalog, IScanningConfigurationStore settings) : IConsumer<PutRepositoryScanOnPush>
{
    public async Task Consume(ConsumeContext<PutRepositoryScanOnPush> context)
    {
        var m = context.Message;
        if (!await catalog.RepositoryExistsAsync(m.Registry, m.Repository, context.CancellationToken))
        {
            await context.RespondAsync(new PutRepositoryScanOnPushResult(false));
            return;
        }
        await settings.SetRepositoryScanOnPushAsync(m.Registry, m.Repository, m.ScanOnPush, context.CancellationToken);
        await context.RespondAsync(new PutRepositoryScanOnPushResult(true));
    }
}
