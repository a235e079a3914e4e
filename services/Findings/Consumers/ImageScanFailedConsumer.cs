using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>A failed scan is recorded and announced as ScanFailed and (as before) a FAILED ScanCompleted, with its reason, so the failure is visible.</summary>
public sealed class ImageScanFailedConsumer(IFindingsStore store, FindingsMetrics metrics) : IConsumer<ImageScanFailed>
{
    public async Task Consume(ConsumeContext<ImageScanFailed> context)
    {
        var message = context.Message;
        var status = message.Reason is ScanFailureReason.UNSUPPORTED_IMAGE or ScanFailureReason.UNSUPPORTED_MEDIA_TYPE
            ? ScanStatus.UNSUPPORTED_IMAGE
            : ScanStatus.FAILED;
        var record = new ImageScanRecord(
            message.ScanId, message.Image, message.ScanType, message.Trigger, status,
            message.Message, message.Reason.ToString(),
            new Dictionary<FindingSeverity, int>(), [], message.FailedAt, null);

        var storing = Stopwatch.GetTimestamp();
        await store.SaveScanAsync(record, context.CancellationToken);
        metrics.StoreTook(Stopwatch.GetElapsedTime(storing));
        metrics.ScanStored(record);
        await context.Publish(new ScanFailed(message.ScanId, message.Image, message.ScanType, message.Trigger, status, message.Message, message.FailedAt),
            context.CancellationToken);
        await context.Publish(record.ToScanCompleted() with { Status = ScanStatus.FAILED }, context.CancellationToken);
    }
}
