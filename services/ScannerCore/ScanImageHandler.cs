using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ScannerCore;

/// <summary>
/// What a scanner does with a ScanImage command: scan, then publish ImageScanned, or ImageScanFailed
/// with a reason a user can act on. Unexpected errors are rethrown so MassTransit retries them; past the
/// retries its Fault&lt;ScanImage&gt; makes the failure visible.
/// </summary>
public sealed class ScanImageHandler(ImageScanner scanner, IEnumerable<IEcosystem> ecosystems, ScannerMetrics metrics, ILogger<ScanImageHandler> logger)
{
    private readonly IReadOnlyList<IEcosystem> _ecosystems = ecosystems.ToList();

    public async Task HandleAsync(ConsumeContext<ScanImage> context, bool includeLanguagePackages)
    {
        var scan = context.Message;
        var image = scan.Image;
        try
        {
            var result = await scanner.ScanAsync(image.Registry, image.Repository, image.Digest, includeLanguagePackages, context.CancellationToken);
            metrics.Stage("pull_and_inventory", result.Timings.PullAndInventory);
            metrics.Stage("match", result.Timings.Match);
            metrics.LayerBytes(result.CompressedBytesRead);
            metrics.Layers(result.LayersFromCache, result.LayerCount - result.LayersFromCache);

            var os = result.Distribution is { } d ? new OperatingSystemInfo(d.Id, d.VersionId, d.PrettyName) : null;
            await context.Publish(new ImageScanned(
                scan.ScanId, image, scan.ScanType, scan.Trigger, os,
                result.Packages.Select(p => p.ToRecord(result.Distribution, _ecosystems)).ToList(),
                result.Vulnerabilities.Select(v => v.ToFinding(scan.ScanType, result.Distribution, _ecosystems)).ToList(),
                result.ScannerVersion, result.AdvisoriesUpdatedAt, DateTimeOffset.UtcNow), context.CancellationToken);
            metrics.Finished(scan, "completed");
            logger.LogInformation("Scanned {Repository}@{Digest}: {Packages} packages, {Findings} findings",
                image.Repository, image.Digest, result.Packages.Count, result.Vulnerabilities.Count);
        }
        catch (ScanException e)
        {
            metrics.Finished(scan, e.Kind.ToString());
            logger.LogWarning("Scan of {Repository}@{Digest} failed: {Kind}: {Message}", image.Repository, image.Digest, e.Kind, e.Message);
            await context.Publish(new ImageScanFailed(scan.ScanId, image, scan.ScanType, scan.Trigger, e.Kind.ToReason(), e.Message, DateTimeOffset.UtcNow),
                context.CancellationToken);
        }
    }
}
