using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Keeps the catalog's scan status in step with the scanners.</summary>
public sealed class ImageScannedConsumer(IScanRouterStore store) : IConsumer<ImageScanned>
{
    public Task Consume(ConsumeContext<ImageScanned> context)
    {
        var m = context.Message;
        return store.SetScanStatusAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest, ScanStatus.COMPLETE,
            "The scan was completed successfully.", m.ScanId, m.CompletedAt, context.CancellationToken);
    }
}
