using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>Re-scan results on the findings-rescans queue (see ImageRescannedConsumerDefinition), handled as any scan result.</summary>
public sealed class ImageRescannedConsumer(ImageScannedHandler handler) : IConsumer<ImageRescanned>
{
    public Task Consume(ConsumeContext<ImageRescanned> context) => handler.HandleAsync<ImageRescannedConsumer>(context, context.Message.Scan);
}
