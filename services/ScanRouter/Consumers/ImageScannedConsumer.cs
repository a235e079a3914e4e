using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Push and manual scan results on the main scan-router queue. Re-scan results come as ImageRescanned to ImageRescannedConsumer
/// on their own queue, so a fan-out's hundreds of results never queue ahead of a push's.
/// </summary>
public sealed class ImageScannedConsumer(ImageScannedHandler handler) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context) => handler.HandleAsync<ImageScannedConsumer>(context, context.Message);
}
