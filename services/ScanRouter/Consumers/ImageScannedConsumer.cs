using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Keeps the catalog's scan status and the reverse package index in step with the scanners.</summary>
public sealed class ImageScannedConsumer(IScanRouterStore store) : IConsumer<ImageScanned>
{
    public async Task Consume(ConsumeContext<ImageScanned> context)
    {
        var m = context.Message;
        var accepted = await store.SetScanStatusAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest, ScanStatus.COMPLETE,
            "The scan was completed successfully.", m.ScanId, m.CompletedAt, context.CancellationToken);
        // Only the scan whose status was recorded may set the inventory: a late, older scan (or an image the catalog
        // does not hold) must not overwrite the index.
        if (!accepted) return;
        await store.ReplaceImagePackagesAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest,
            ImagePackageKey.FromPackages(m.Packages ?? []), context.CancellationToken);
    }
}
