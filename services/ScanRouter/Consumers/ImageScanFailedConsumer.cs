using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

public sealed class ImageScanFailedConsumer(IScanRouterStore store) : IConsumer<ImageScanFailed>
{
    public Task Consume(ConsumeContext<ImageScanFailed> context)
    {
        var m = context.Message;
        var status = m.Reason is ScanFailureReason.UNSUPPORTED_IMAGE or ScanFailureReason.UNSUPPORTED_MEDIA_TYPE
            ? ScanStatus.UNSUPPORTED_IMAGE
            : ScanStatus.FAILED;
        return store.SetScanStatusAsync(m.Image.Registry, m.Image.Repository, m.Image.Digest, status, m.Message, m.ScanId, m.FailedAt, context.CancellationToken);
    }
}
