using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// A failed scan is recorded and announced as ScanFailed and (as before) a FAILED ScanCompleted, with its reason, so the failure is
/// visible: the record and both events in one unit of work, de-duplicated on the message id.
/// </summary>
public sealed class ImageScanFailedConsumer(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database, IFindingsStore store, FindingsMetrics metrics)
    : IConsumer<ImageScanFailed>
{
    public async Task Consume(ConsumeContext<ImageScanFailed> context)
    {
        var message = context.Message;
        var record = RecordOf(message);

        var storing = Stopwatch.GetTimestamp();
        await using var work = await database.BeginAsync<ImageScanFailedConsumer>(context);
        if (work.AlreadyHandled) return;
        await store.In(work).SaveScanAsync(record, context.CancellationToken);
        Announce(work, message, record);
        await work.CommitAsync<ImageScanFailedConsumer>(context);
        metrics.StoreTook(Stopwatch.GetElapsedTime(storing));
        metrics.ScanStored(record);
    }

    /// <summary>The failed scan as Findings stores it (UNSUPPORTED_IMAGE for an image nothing can scan, FAILED otherwise).</summary>
    public static ImageScanRecord RecordOf(ImageScanFailed message)
    {
        var status = message.Reason is ScanFailureReason.UNSUPPORTED_IMAGE or ScanFailureReason.UNSUPPORTED_MEDIA_TYPE
            ? ScanStatus.UNSUPPORTED_IMAGE
            : ScanStatus.FAILED;
        return new ImageScanRecord(
            message.ScanId, message.Image, message.ScanType, message.Trigger, status,
            message.Message, message.Reason.ToString(),
            new Dictionary<FindingSeverity, int>(), [], message.FailedAt, null);
    }

    /// <summary>ScanFailed and a FAILED ScanCompleted, with the reason, in the unit of work that stores the record.</summary>
    public static void Announce(UnitOfWork work, ImageScanFailed message, ImageScanRecord record)
    {
        work.Publish(new ScanFailed(message.ScanId, message.Image, message.ScanType, message.Trigger, record.Status, message.Message, message.FailedAt),
            EventMessageIds.ScanFailed(message.ScanId));
        work.Publish(record.ToScanCompleted() with { Status = ScanStatus.FAILED }, EventMessageIds.ScanCompleted(message.ScanId, ScanStatus.FAILED));
    }
}
