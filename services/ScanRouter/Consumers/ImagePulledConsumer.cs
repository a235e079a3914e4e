using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Records an image's last pull (it only moves forward, so a redelivered or late event changes nothing).</summary>
public sealed class ImagePulledConsumer(IScanRouterStore store) : IConsumer<ImagePulled>
{
    public Task Consume(ConsumeContext<ImagePulled> context)
    {
        var m = context.Message;
        return store.RecordPullAsync(m.Registry, m.Repository, m.Digest, m.PulledAt, context.CancellationToken);
    }
}
