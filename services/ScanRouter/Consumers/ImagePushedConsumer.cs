using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Dispatching;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Catalogues a pushed image and applies the registry's scanning rules: sends ScanImage to the Basic or Enhanced scanner's queue,
/// or records why it was not scanned. One unit of work holds the inbox mark, the delivery id, the image, the quota reservation,
/// the IN_PROGRESS status and the ScanImage (outbox): a failure anywhere before the commit leaves none of them, so the retry
/// scans the push; a webhook the registry sends again (another message, the same delivery id) scans nothing twice.
/// </summary>
public sealed class ImagePushedConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IImageCatalogStore catalog,
    IScanningConfigurationStore settings,
    RouterMetrics metrics,
    TimeProvider clock,
    ILogger<ImagePushedConsumer> logger)
    : IConsumer<ImagePushed>
{
    public async Task Consume(ConsumeContext<ImagePushed> context)
    {
        var pushed = context.Message;
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync<ImagePushedConsumer>(context);
        if (work.AlreadyHandled) return; // a redelivered message: its effect and its ScanImage are stored
        var images = catalog.In(work);
        var now = clock.GetUtcNow();

        if (!await images.TryRecordDeliveryAsync($"{pushed.Registry}/{pushed.DeliveryId}", now, ct))
        {
            await work.CommitAsync<ImagePushedConsumer>(context);
            metrics.PushSkipped("duplicate_delivery");
            logger.LogInformation("Ignored a repeated delivery {DeliveryId} of {Repository}@{Digest}", pushed.DeliveryId, pushed.Repository, pushed.Digest);
            return;
        }

        var image = await images.UpsertImageAsync(new ImageRecord(
            pushed.Registry, pushed.Repository, pushed.Digest, pushed.Tag is null ? [] : [pushed.Tag], pushed.MediaType,
            pushed.PushedAt, null, null, null, null, null, now), ct);

        var scanning = settings.In(work);
        var configuration = await scanning.GetConfigurationAsync(pushed.Registry, ct);
        var legacyScanOnPush = LegacyScanOnPush.Applies(configuration) &&
            await scanning.GetRepositoryScanOnPushAsync(pushed.Registry, pushed.Repository, ct);
        var decision = LegacyScanOnPush.Decide(configuration, pushed, legacyScanOnPush);
        if (!decision.Scan)
        {
            await work.CommitAsync<ImagePushedConsumer>(context);
            metrics.PushSkipped(decision.ScanFrequency.ToString());
            logger.LogInformation("Not scanning {Repository}@{Digest} on push: {Reason}", pushed.Repository, pushed.Digest, decision.SkipReason);
            return;
        }

        if (decision.CountsTowardBasicQuota && !await images.TryReserveBasicScanAsync(pushed.Registry, pushed.Repository, pushed.Digest, now, ct))
        {
            await work.CommitAsync<ImagePushedConsumer>(context);
            metrics.PushSkipped("basic_quota");
            logger.LogInformation("Not scanning {Repository}@{Digest} on push: it was scanned in the last 24 hours", pushed.Repository, pushed.Digest);
            return;
        }

        var scanId = NewId.NextGuid();
        await images.StartScanAsync(pushed.Registry, pushed.Repository, pushed.Digest, scanId, new ScanDispatch(decision.ScanType, ScanTrigger.PUSH, 1, now), ct);
        work.Send(ScanQueues.For(decision.ScanType, ScanTrigger.PUSH), new ScanImage(
            scanId, new ImageRef(image.Registry, image.Repository, image.Digest, image.Tags), decision.ScanType, ScanTrigger.PUSH, now));
        await work.CommitAsync<ImagePushedConsumer>(context);
        metrics.ScanRequested(decision.ScanType, ScanTrigger.PUSH);
    }
}
