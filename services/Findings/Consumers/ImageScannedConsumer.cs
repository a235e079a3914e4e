using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// Push and manual scan results on the main findings queue. Re-scan results are left to RescanImageScannedConsumer on its own
/// queue, so a fan-out's hundreds of results (and their lifecycle writes) never queue ahead of a push's.
/// </summary>
public sealed class ImageScannedConsumer(ImageScannedHandler handler) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context) =>
        context.Message.Trigger == ScanTrigger.RESCAN ? Task.CompletedTask : handler.HandleAsync(context);
}
