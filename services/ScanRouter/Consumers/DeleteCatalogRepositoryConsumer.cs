using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// DeleteRepository: removes the catalog entry and (forced) its images with their package-index rows (no advisory looks for
/// them any more), forgets the legacy scanOnPush, and publishes
/// <see cref="RepositoryDeleted"/> through the outbox in the same unit of work, so Findings closes the images' findings exactly when
/// the deletion is committed. No inbox: a redelivered request finds nothing left and answers "not found".
/// </summary>
public sealed class DeleteCatalogRepositoryConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IScanningConfigurationStore settings,
    IPackageIndexStore packageIndex,
    TimeProvider clock,
    ILogger<DeleteCatalogRepositoryConsumer> logger)
    : IConsumer<DeleteCatalogRepository>
{
    public async Task Consume(ConsumeContext<DeleteCatalogRepository> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var scanOnPush = await settings.GetRepositoryScanOnPushAsync(m.Registry, m.Repository, ct);
        RepositoryDeletion deletion;
        await using (var work = await database.BeginAsync(ct))
        {
            deletion = await catalog.In(work).DeleteRepositoryAsync(m.Registry, m.Repository, m.Force, ct);
            if (deletion.Outcome == RepositoryDeletionOutcome.DELETED)
            {
                await settings.In(work).SetRepositoryScanOnPushAsync(m.Registry, m.Repository, false, ct);
                var index = packageIndex.In(work);
                foreach (var image in deletion.Images) await index.ReplaceImagePackagesAsync(image.Registry, image.Repository, image.Digest, [], ct);
                var images = deletion.Images.Select(i => new ImageRef(i.Registry, i.Repository, i.Digest, i.Tags)).ToList();
                work.Publish(new RepositoryDeleted(m.Registry, m.Repository, images, clock.GetUtcNow()));
            }
            await work.CommitAsync(ct);
        }
        if (deletion.Outcome == RepositoryDeletionOutcome.DELETED)
            logger.LogInformation("Repository {Registry}/{Repository} deleted with {Count} images", m.Registry, m.Repository, deletion.Images.Count);
        await context.RespondAsync(new DeleteCatalogRepositoryResult(
            deletion.Outcome, deletion.Repository?.ToCatalogRepository(scanOnPush), deletion.Images.Count));
    }
}
