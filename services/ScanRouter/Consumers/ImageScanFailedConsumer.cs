using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Records a failed scan (UNSUPPORTED_IMAGE for images no scanner supports, else FAILED with the scanner's reason), once per message.</summary>
public sealed class ImageScanFailedConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database, IImageCatalogStore catalog)
    : IConsumer<ImageScanFailed>
{
    public async Task Consume(ConsumeContext<ImageScanFailed> context)
    {
        var m = context.Message;
        await using var work = await database.BeginAsync<ImageScanFailedConsumer>(context);
        if (work.AlreadyHandled) return;
        var status = m.Reason is ScanFailureReason.UNSUPPORTED_IMAGE or ScanFailureReason.UNSUPPORTED_MEDIA_TYPE
            ? ScanStatus.UNSUPPORTED_IMAGE
            : ScanStatus.FAILED;
        await catalog.In(work).SetScanStatusAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest, status, m.Message, m.ScanId, m.FailedAt,
            context.CancellationToken);
        await work.CommitAsync<ImageScanFailedConsumer>(context);
    }
}
