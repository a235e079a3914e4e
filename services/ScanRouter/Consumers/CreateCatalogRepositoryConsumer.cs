using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// CreateRepository: the catalog entry and the repository's legacy scanOnPush in one unit of work. No inbox: the creation is
/// conditional, so a redelivered request answers "already exists" and stores nothing twice.
/// </summary>
public sealed class CreateCatalogRepositoryConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IScanningConfigurationStore settings,
    TimeProvider clock)
    : IConsumer<CreateCatalogRepository>
{
    public async Task Consume(ConsumeContext<CreateCatalogRepository> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var record = new CatalogRepositoryRecord(m.Repository, clock.GetUtcNow(), m.ImageTagMutability);
        bool created;
        await using (var work = await database.BeginAsync(ct))
        {
            created = await catalog.In(work).TryCreateRepositoryAsync(m.Registry, record, ct);
            if (created) await settings.In(work).SetRepositoryScanOnPushAsync(m.Registry, m.Repository, m.ScanOnPush, ct);
            await work.CommitAsync(ct);
        }
        var stored = await catalog.GetRepositoryAsync(m.Registry, m.Repository, ct) ?? record;
        var scanOnPush = await settings.GetRepositoryScanOnPushAsync(m.Registry, m.Repository, ct);
        await context.RespondAsync(new CreateCatalogRepositoryResult(created, stored.ToCatalogRepository(scanOnPush)));
    }
}
