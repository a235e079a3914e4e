using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>Stores a scan's findings, then (and only then) announces ScanCompleted.</summary>
public sealed class ImageScannedConsumer(IFindingsStore store, FindingsMetrics metrics) : IConsumer<ImageScanned>
{
    public async Task Consume(ConsumeContext<ImageScanned> context)
    {
        var message = context.Message;
        var record = new ImageScanRecord(
            message.ScanId, message.Image, message.ScanType, message.Trigger, ScanStatus.COMPLETE,
            "The scan was completed successfully.", null,
            ImageScanRecord.CountBySeverity(message.Findings), message.Findings,
            message.CompletedAt, message.VulnerabilitySourceUpdatedAt);

        var storing = Stopwatch.GetTimestamp();
        await store.SaveScanAsync(record, context.CancellationToken);
        metrics.StoreTook(Stopwatch.GetElapsedTime(storing));
        metrics.ScanStored(record);
        await context.Publish(record.ToScanCompleted(), context.CancellationToken);
    }
}
