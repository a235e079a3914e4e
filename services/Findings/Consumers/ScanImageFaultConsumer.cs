using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// A scanner crashed on an image past all its retries (MassTransit published Fault&lt;ScanImage&gt;):
/// record it as an internal error so the image does not stay "in progress" forever.
/// </summary>
public sealed class ScanImageFaultConsumer : IConsumer<Fault<ScanImage>>
{
    public Task Consume(ConsumeContext<Fault<ScanImage>> context)
    {
        var scan = context.Message.Message;
        var reason = context.Message.Exceptions.FirstOrDefault()?.Message ?? "The scanner failed.";
        return context.Publish(new ImageScanFailed(
            scan.ScanId, scan.Image, scan.ScanType, scan.Trigger, ScanFailureReason.INTERNAL_ERROR,
            "Internal error: " + reason, context.Message.Timestamp), context.CancellationToken);
    }
}
