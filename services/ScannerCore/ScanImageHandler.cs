using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore.Inventory;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ScannerCore;

/// <summary>What a scanner's consumers call for a ScanImage command; an interface so lane tests can hold a scan open.</summary>
public interface IScanImageHandler
{
    Task HandleAsync(ConsumeContext<ScanImage> context, bool includeLanguagePackages);
}

/// <summary>
/// What a scanner does with a ScanImage command: scan, then publish ImageScanned, or ImageScanFailed
/// with a reason a user can act on. Unexpected errors are rethrown so MassTransit retries them; past the
/// retries its Fault&lt;ScanImage&gt; makes the failure visible.
/// Each successful scan stores the image's inventory; a RESCAN (new advisories) re-matches that inventory
/// without pulling the image, unless it is missing or was made by another finder set.
/// </summary>
public sealed class ScanImageHandler(
    ImageScanner scanner, IInventoryStore inventories, IEnumerable<IEcosystem> ecosystems, ScannerMetrics metrics, ILogger<ScanImageHandler> logger)
    : IScanImageHandler
{
    private readonly IReadOnlyList<IEcosystem> _ecosystems = ecosystems.ToList();

    public async Task HandleAsync(ConsumeContext<ScanImage> context, bool includeLanguagePackages)
    {
        var scan = context.Message;
        var image = scan.Image;
        metrics.Started(scan);
        try
        {
            var result = scan.Trigger == ScanTrigger.RESCAN ? await RematchStoredAsync(image, includeLanguagePackages, context.CancellationToken) : null;
            var rematched = result is not null;
            if (result is null)
            {
                result = await scanner.ScanAsync(image.Registry, image.Repository, image.Digest, includeLanguagePackages, context.CancellationToken);
                metrics.Stage("pull", result.Timings.Pull);
                metrics.Stage("inventory", result.Timings.Inventory);
                metrics.LayerBytes(result.CompressedBytesRead);
                metrics.Layers(result.LayersFromCache, result.LayerCount - result.LayersFromCache);
                await SaveInventoryAsync(image, result, context.CancellationToken);
            }
            metrics.Stage("match", result.Timings.Match);

            var os = result.Distribution is { } d ? new OperatingSystemInfo(d.Id, d.VersionId, d.PrettyName) : null;
            // A re-match sends no packages: every consumer already holds the inventory it was made from.
            await context.Publish(new ImageScanned(
                scan.ScanId, image, scan.ScanType, scan.Trigger, os,
                rematched ? [] : result.Packages.Select(p => p.ToRecord(result.Distribution, _ecosystems)).ToList(),
                result.Vulnerabilities.Select(v => v.ToFinding(scan.ScanType, result.Distribution, _ecosystems)).ToList(),
                result.ScannerVersion, result.AdvisoriesUpdatedAt, DateTimeOffset.UtcNow, InventoryUnchanged: rematched), context.CancellationToken);
            metrics.Completed(scan);
            logger.LogInformation("Scanned {Repository}@{Digest}: {Packages} packages, {Findings} findings",
                image.Repository, image.Digest, result.Packages.Count, result.Vulnerabilities.Count);
        }
        catch (ScanException e)
        {
            metrics.Failed(scan, e.Kind.ToReason().ToString());
            logger.LogWarning("Scan of {Repository}@{Digest} failed: {Kind}: {Message}", image.Repository, image.Digest, e.Kind, e.Message);
            await context.Publish(new ImageScanFailed(scan.ScanId, image, scan.ScanType, scan.Trigger, e.Kind.ToReason(), e.Message, DateTimeOffset.UtcNow),
                context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.Failed(scan, ScannerMetrics.UnexpectedFailure);
            throw;
        }
    }

    /// <summary>The stored inventory re-matched, or null when there is no current one (the caller then pulls the image again).</summary>
    private async Task<ImageScanResult?> RematchStoredAsync(ImageRef image, bool includeLanguagePackages, CancellationToken ct)
    {
        var version = scanner.VersionFor(includeLanguagePackages);
        StoredInventory? inventory;
        try
        {
            inventory = await inventories.GetCurrentAsync(image.Registry, image.Repository, image.Digest, version, ct);
        }
        catch (InvalidDataException e)
        {
            // An unreadable inventory only costs a pull: the full scan below replaces it.
            logger.LogWarning("Stored inventory of {Repository}@{Digest} is unreadable, scanning the image again: {Message}", image.Repository, image.Digest, e.Message);
            return null;
        }
        if (inventory is null)
        {
            logger.LogInformation("No current inventory of {Repository}@{Digest} for finder set {Version}: scanning the image again", image.Repository, image.Digest, version);
            return null;
        }
        return await scanner.RematchAsync(inventory.Distribution, inventory.Packages, inventory.Digest, inventory.ManifestMediaType, includeLanguagePackages, ct);
    }

    private Task SaveInventoryAsync(ImageRef image, ImageScanResult result, CancellationToken ct) =>
        inventories.SaveAsync(new StoredInventory(image.Registry, image.Repository, image.Digest, result.ScannerVersion, result.Distribution,
            result.Packages, result.MediaType, DateTimeOffset.UtcNow), ct);
}
