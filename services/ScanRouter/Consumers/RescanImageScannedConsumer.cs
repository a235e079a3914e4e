using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Re-scan results on the scan-router-rescans queue (see RescanImageScannedConsumerDefinition); other triggers belong to ImageScannedConsumer.</summary>
public sealed class RescanImageScannedConsumer(ImageScannedHandler handler) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context) =>
        context.Message.Trigger == ScanTrigger.RESCAN ? handler.HandleAsync(context) : Task.CompletedTask;
}
