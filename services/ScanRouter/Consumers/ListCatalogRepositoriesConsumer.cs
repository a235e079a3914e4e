using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>DescribeRepositories: every repository of the registry's catalog.</summary>
public sealed class ListCatalogRepositoriesConsumer(IImageCatalogStore catalog, IScanningConfigurationStore settings) : IConsumer<ListCatalogRepositories>
{
    public async Task Consume(ConsumeContext<ListCatalogRepositories> context) =>
        await context.RespondAsync(new CatalogRepositoriesResult(
            await catalog.ListCatalogRepositoriesAsync(settings, context.Message.Registry, context.CancellationToken)));
}
