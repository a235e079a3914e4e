using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Catalogues a pushed image and applies the registry's scanning rules: sends ScanImage to the Basic
/// or Enhanced scanner's queue, or records why it was not scanned. A redelivered webhook event
/// (same registry event id) is recognised and scans nothing twice.
/// </summary>
public sealed class ImagePushedConsumer(IScanRouterStore store, RouterMetrics metrics, TimeProvider clock, ILogger<ImagePushedConsumer> logger)
    : IConsumer<ImagePushed>
{
    public async Task Consume(ConsumeContext<ImagePushed> context)
    {
        var pushed = context.Message;
        var now = clock.GetUtcNow();
        if (!await store.TryRecordDeliveryAsync($"{pushed.Registry}/{pushed.DeliveryId}", now, context.CancellationToken))
        {
            metrics.PushSkipped("duplicate_delivery");
            logger.LogInformation("Ignored a repeated delivery {DeliveryId} of {Repository}@{Digest}", pushed.DeliveryId, pushed.Repository, pushed.Digest);
            return;
        }

        var image = await store.UpsertImageAsync(new ImageRecord(
            pushed.Registry, pushed.Repository, pushed.Digest, pushed.Tag is null ? [] : [pushed.Tag], pushed.MediaType,
            pushed.PushedAt, null, null, null, null, null, now), context.CancellationToken);

        var configuration = await store.GetConfigurationAsync(pushed.Registry, context.CancellationToken);
        var legacyScanOnPush = LegacyScanOnPush.Applies(configuration) &&
            await store.GetRepositoryScanOnPushAsync(pushed.Registry, pushed.Repository, context.CancellationToken);
        var decision = LegacyScanOnPush.Decide(configuration, pushed, legacyScanOnPush);
        if (!decision.Scan)
        {
            metrics.PushSkipped(decision.ScanFrequency.ToString());
            logger.LogInformation("Not scanning {Repository}@{Digest} on push: {Reason}", pushed.Repository, pushed.Digest, decision.SkipReason);
            return;
        }

        if (decision.CountsTowardBasicQuota &&
            !await store.TryReserveBasicScanAsync(pushed.Registry, pushed.Repository, pushed.Digest, now, context.CancellationToken))
        {
            metrics.PushSkipped("basic_quota");
            logger.LogInformation("Not scanning {Repository}@{Digest} on push: it was scanned in the last 24 hours", pushed.Repository, pushed.Digest);
            return;
        }

        var scanId = NewId.NextGuid();
        await store.SetScanStatusAsync(pushed.Registry, pushed.Repository, pushed.Digest, ScanStatus.IN_PROGRESS,
            "The scan is in progress.", scanId, now, context.CancellationToken);
        var queue = decision.Target == ScannerTarget.Enhanced ? QueueNames.EnhancedScanner : QueueNames.BasicScanner;
        var endpoint = await context.GetSendEndpoint(QueueNames.For(queue));
        await endpoint.Send(new ScanImage(scanId, new ImageRef(image.Registry, image.Repository, image.Digest, image.Tags),
            decision.ScanType, ScanTrigger.PUSH, now), context.CancellationToken);
        metrics.ScanRequested(decision.ScanType, ScanTrigger.PUSH);
    }
}
