using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Push and manual scan results on the main scan-router queue. Re-scan results are left to RescanImageScannedConsumer on its own
/// queue, so a fan-out's hundreds of results never queue ahead of a push's.
/// </summary>
public sealed class ImageScannedConsumer(ImageScannedHandler handler) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context) =>
        context.Message.Trigger == ScanTrigger.RESCAN ? Task.CompletedTask : handler.HandleAsync(context);
}
