using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Dispatching;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// StartImageScan: a basic scan of a catalogued image, refused under ENHANCED scanning (no manual scans there), for an image index,
/// and when the image's once-per-24-h basic quota is used. The quota, the IN_PROGRESS status and the ScanImage commit together
/// (a quota is never spent on a scan that was not sent); the reply goes after the commit. A refusal changes nothing and commits
/// nothing, so only a started scan leaves an inbox mark: a redelivered request that finds it answers STARTED again.
/// </summary>
public sealed class StartManualScanConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IScanningConfigurationStore settings,
    RouterMetrics metrics,
    TimeProvider clock,
    ILogger<StartManualScanConsumer> logger)
    : IConsumer<StartManualScan>
{
    public async Task Consume(ConsumeContext<StartManualScan> context)
    {
        var result = await TryStartAsync(context) ?? await AlreadyStartedAsync(context.Message, context.CancellationToken);
        await context.RespondAsync(result);
    }

    /// <summary>The outcome, or null when this request was already handled (and so started a scan).</summary>
    private async Task<ManualScanResult?> TryStartAsync(ConsumeContext<StartManualScan> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync<StartManualScanConsumer>(context);
        if (work.AlreadyHandled) return null;
        var images = catalog.In(work);
        if (!await images.RepositoryExistsAsync(m.Registry, m.Repository, ct))
            return new ManualScanResult(ManualScanOutcome.REPOSITORY_NOT_FOUND, null, null, null);
        var image = await images.FindAsync(m.Registry, m.Repository, m.Image, ct);
        if (image is null) return new ManualScanResult(ManualScanOutcome.IMAGE_NOT_FOUND, null, null, null);

        var now = clock.GetUtcNow();
        if (await RefusalAsync(m.Registry, image, images, settings.In(work), now, ct) is { } outcome)
        {
            logger.LogInformation("Manual scan of {Repository}@{Digest} refused: {Outcome}", image.Repository, image.Digest, outcome);
            return new ManualScanResult(outcome, image.ToCatalogImage(), image.ScanStatus, image.ScanStatusDescription);
        }

        var scanId = NewId.NextGuid();
        await images.StartScanAsync(m.Registry, image.Repository, image.Digest, scanId, new ScanDispatch(ScanType.BASIC, ScanTrigger.MANUAL, 1, now), ct);
        work.Send(ScanQueues.For(ScanType.BASIC, ScanTrigger.MANUAL), new ScanImage(
            scanId, new ImageRef(m.Registry, image.Repository, image.Digest, image.Tags), ScanType.BASIC, ScanTrigger.MANUAL, now));
        await work.CommitAsync<StartManualScanConsumer>(context);
        metrics.ScanRequested(ScanType.BASIC, ScanTrigger.MANUAL);
        const string description = ScanStatusDescriptions.InProgress;
        return new ManualScanResult(ManualScanOutcome.STARTED,
            image.ToCatalogImage() with { ScanStatus = ScanStatus.IN_PROGRESS, ScanStatusDescription = description, ScanStatusAt = now },
            ScanStatus.IN_PROGRESS, description);
    }

    /// <summary>The answer to a request handled before (its reply may have been lost with the process): STARTED, and the image as it is now.</summary>
    private async Task<ManualScanResult> AlreadyStartedAsync(StartManualScan m, CancellationToken ct)
    {
        var image = await catalog.FindAsync(m.Registry, m.Repository, m.Image, ct);
        return image is null
            ? new ManualScanResult(ManualScanOutcome.IMAGE_NOT_FOUND, null, null, null)
            : new ManualScanResult(ManualScanOutcome.STARTED, image.ToCatalogImage(), image.ScanStatus, image.ScanStatusDescription);
    }

    private static async Task<ManualScanOutcome?> RefusalAsync(
        string registry, ImageRecord image, IImageCatalogStore images, IScanningConfigurationStore scanning, DateTimeOffset now, CancellationToken ct)
    {
        if (!ScanningRules.AllowsManualScan(await scanning.GetConfigurationAsync(registry, ct))) return ManualScanOutcome.ENHANCED_SCANNING;
        if (ScanningRules.ImageIndexMediaTypes.Contains(image.MediaType)) return ManualScanOutcome.UNSUPPORTED_IMAGE_TYPE;
        // Last: reserving spends the quota, so nothing may refuse the scan after it.
        if (!await images.TryReserveBasicScanAsync(registry, image.Repository, image.Digest, now, ct)) return ManualScanOutcome.QUOTA_EXCEEDED;
        return null;
    }
}
