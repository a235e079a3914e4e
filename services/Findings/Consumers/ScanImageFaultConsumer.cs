using ImageScanning.Contracts;
using ImageScanning.Findings.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// A scanner crashed on an image past all its retries (MassTransit published Fault&lt;ScanImage&gt;): record it as an internal
/// error so the image does not stay "in progress" forever. The ImageScanFailed goes through the outbox with an id derived from the
/// scan, so the fault's inbox mark and the failure commit together and a second fault of the same scan announces nothing new.
/// </summary>
public sealed class ScanImageFaultConsumer([FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database)
    : IConsumer<Fault<ScanImage>>
{
    public async Task Consume(ConsumeContext<Fault<ScanImage>> context)
    {
        var scan = context.Message.Message;
        var reason = context.Message.Exceptions.FirstOrDefault()?.Message ?? "The scanner failed.";
        await using var work = await database.BeginAsync<ScanImageFaultConsumer>(context);
        if (work.AlreadyHandled) return;
        work.Publish(new ImageScanFailed(
                scan.ScanId, scan.Image, scan.ScanType, scan.Trigger, ScanFailureReason.INTERNAL_ERROR,
                "Internal error: " + reason, context.Message.Timestamp),
            EventMessageIds.ImageScanFailed(scan.ScanId));
        await work.CommitAsync<ScanImageFaultConsumer>(context);
    }
}
