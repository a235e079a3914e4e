using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// StartImageScan: a basic scan of a catalogued image, refused under ENHANCED scanning (no manual scans there), for an
/// image index, and when the image's once-per-24-h basic quota is used (the reservation is atomic in the store).
/// </summary>
public sealed class StartManualScanConsumer(IScanRouterStore store, RouterMetrics metrics, TimeProvider clock, ILogger<StartManualScanConsumer> logger)
    : IConsumer<StartManualScan>
{
    public async Task Consume(ConsumeContext<StartManualScan> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (!await store.RepositoryExistsAsync(m.Registry, m.Repository, ct))
        {
            await context.RespondAsync(new ManualScanResult(ManualScanOutcome.REPOSITORY_NOT_FOUND, null, null, null));
            return;
        }
        var image = await store.FindAsync(m.Registry, m.Repository, m.Image, ct);
        if (image is null)
        {
            await context.RespondAsync(new ManualScanResult(ManualScanOutcome.IMAGE_NOT_FOUND, null, null, null));
            return;
        }
        var refusal = await RefusalAsync(m.Registry, image, ct);
        if (refusal is { } outcome)
        {
            logger.LogInformation("Manual scan of {Repository}@{Digest} refused: {Outcome}", image.Repository, image.Digest, outcome);
            await context.RespondAsync(new ManualScanResult(outcome, image.ToCatalogImage(), image.ScanStatus, image.ScanStatusDescription));
            return;
        }

        var now = clock.GetUtcNow();
        var scanId = NewId.NextGuid();
        const string description = "The scan is in progress.";
        await store.SetScanStatusAsync(m.Registry, image.Repository, image.Digest, ScanStatus.IN_PROGRESS, description, scanId, now, ct);
        var endpoint = await context.GetSendEndpoint(QueueNames.For(QueueNames.BasicScanner));
        await endpoint.Send(new ScanImage(scanId, new ImageRef(m.Registry, image.Repository, image.Digest, image.Tags),
            ScanType.BASIC, ScanTrigger.MANUAL, now), ct);
        metrics.ScanRequested(ScanType.BASIC, ScanTrigger.MANUAL);
        await context.RespondAsync(new ManualScanResult(ManualScanOutcome.STARTED,
            image.ToCatalogImage() with { ScanStatus = ScanStatus.IN_PROGRESS, ScanStatusDescription = description, ScanStatusAt = now },
            ScanStatus.IN_PROGRESS, description));
    }

    private async Task<ManualScanOutcome?> RefusalAsync(string registry, ImageRecord image, CancellationToken ct)
    {
        if (!ScanningRules.AllowsManualScan(await store.GetConfigurationAsync(registry, ct))) return ManualScanOutcome.ENHANCED_SCANNING;
        if (ScanningRules.ImageIndexMediaTypes.Contains(image.MediaType)) return ManualScanOutcome.UNSUPPORTED_IMAGE_TYPE;
        // Last: reserving spends the quota, so nothing may refuse the scan after it.
        if (!await store.TryReserveBasicScanAsync(registry, image.Repository, image.Digest, clock.GetUtcNow(), ct))
            return ManualScanOutcome.QUOTA_EXCEEDED;
        return null;
    }
}
