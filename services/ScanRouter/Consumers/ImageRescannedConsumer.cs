using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Re-scan results on the scan-router-rescans queue (see ImageRescannedConsumerDefinition).</summary>
public sealed class ImageRescannedConsumer(ImageScannedHandler handler) : IConsumer<ImageRescanned>
{
    public Task Consume(ConsumeContext<ImageRescanned> context) => handler.HandleAsync<ImageRescannedConsumer>(context, context.Message.Scan);
}
