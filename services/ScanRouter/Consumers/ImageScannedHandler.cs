using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Keeps the catalog's scan status and the reverse package index in step with the scanners, and counts each completed scan toward
/// usage, in one unit of work keyed on the scan id: a copy of the result, or a second result of a re-dispatched scan, changes
/// nothing. Usage is counted when a scan completes, so a scan that failed or was never run costs nothing. Shared by the push lane
/// (ImageScannedConsumer) and the re-scan lane (ImageRescannedConsumer).
/// </summary>
public sealed class ImageScannedHandler(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IPackageIndexStore packageIndex,
    IScanUsageStore usage,
    RouterMetrics metrics)
{
    public async Task HandleAsync<TConsumer>(ConsumeContext context, ImageScanned scan)
    {
        var ct = context.CancellationToken;
        var image = scan.Image;
        await using var work = await database.BeginAsync<TConsumer>(context, scan.ScanId);
        if (work.AlreadyHandled) return;

        var rescan = scan.Trigger == ScanTrigger.RESCAN;
        var counted = await usage.In(work).TryRecordScanUsageAsync(
            scan.ScanId, image.Registry, image.Repository, rescan ? ScanUsageKind.Rescan : ScanUsageKind.Initial, scan.CompletedAt, ct);
        var accepted = await catalog.In(work).SetScanStatusAsync(image.Registry, image.Repository, image.Digest, ScanStatus.COMPLETE,
            ScanStatusDescriptions.Complete, scan.ScanId, scan.CompletedAt, ct);
        if (accepted)
            await catalog.In(work).SetOsEndOfLifeAsync(image.Registry, image.Repository, image.Digest, scan.OperatingSystem?.EndOfLife, ct);
        // Only the scan whose status was recorded may set the inventory: a late, older scan (or an image the catalog
        // does not hold) must not overwrite the index. A re-match leaves it as it is.
        if (accepted && !scan.InventoryUnchanged)
            await packageIndex.In(work).ReplaceImagePackagesAsync(image.Registry, image.Repository, image.Digest,
                ImagePackageKey.FromPackages(scan.Packages ?? []), ct);
        await work.CommitAsync<TConsumer>(context);
        if (counted) metrics.ScanCounted(image.Registry, image.Repository, rescan);
    }
}
