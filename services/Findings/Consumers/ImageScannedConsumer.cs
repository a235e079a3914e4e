using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// Push and manual scan results on the main findings queue. Re-scan results arrive as ImageRescanned on their own queue
/// (ImageRescannedConsumer), so a fan-out's hundreds of results never queue ahead of a push's.
/// </summary>
public sealed class ImageScannedConsumer(ImageScannedHandler handler) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context) => handler.HandleAsync<ImageScannedConsumer>(context, context.Message);
}
