using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Records an image's last pull (it only moves forward, so a late event changes nothing), once per message.</summary>
public sealed class ImagePulledConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database, IImageCatalogStore catalog)
    : IConsumer<ImagePulled>
{
    public async Task Consume(ConsumeContext<ImagePulled> context)
    {
        var m = context.Message;
        await using var work = await database.BeginAsync<ImagePulledConsumer>(context);
        if (work.AlreadyHandled) return;
        await catalog.In(work).RecordPullAsync(m.Registry, m.Repository, m.Digest, m.PulledAt, context.CancellationToken);
        await work.CommitAsync<ImagePulledConsumer>(context);
    }
}
