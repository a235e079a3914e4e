using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Keeps the catalog's scan status and the reverse package index in step with the scanners, and counts each completed scan toward
/// usage (once per scan id: usage is counted when a scan completes, so a scan that failed or was never run costs nothing).
/// Shared by the push lane (ImageScannedConsumer) and the re-scan lane (RescanImageScannedConsumer).
/// </summary>
public sealed class ImageScannedHandler(IScanRouterStore store, RouterMetrics metrics)
{
    public async Task HandleAsync(ConsumeContext<ImageScanned> context)
    {
        var m = context.Message;
        var rescan = m.Trigger == ScanTrigger.RESCAN;
        if (await store.TryRecordScanUsageAsync(m.ScanId, m.Image.Registry, m.Image.Repository, rescan ? ScanUsageKind.Rescan : ScanUsageKind.Initial,
                m.CompletedAt, context.CancellationToken))
            metrics.ScanCounted(m.Image.Registry, m.Image.Repository, rescan);

        var accepted = await store.SetScanStatusAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest, ScanStatus.COMPLETE,
            "The scan was completed successfully.", m.ScanId, m.CompletedAt, context.CancellationToken);
        // Only the scan whose status was recorded may set the inventory: a late, older scan (or an image the catalog
        // does not hold) must not overwrite the index. A re-match leaves it as it is.
        if (!accepted || m.InventoryUnchanged) return;
        await store.ReplaceImagePackagesAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest,
            ImagePackageKey.FromPackages(m.Packages ?? []), context.CancellationToken);
    }
}
