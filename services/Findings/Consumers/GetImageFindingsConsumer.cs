using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

public sealed class GetImageFindingsConsumer(IFindingsStore store) : IConsumer<GetImageFindings>
{
    public async Task Consume(ConsumeContext<GetImageFindings> context)
    {
        var request = context.Message;
        var scan = await store.GetLatestScanAsync(request.Registry, request.Repository, request.Digest, context.CancellationToken);
        await context.RespondAsync(scan is null
            ? new ImageFindingsResult(false, null, null, null, null, null, new Dictionary<FindingSeverity, int>(), [])
            : new ImageFindingsResult(true, scan.Image, scan.ScanType, scan.Status, scan.StatusDescription, scan.CompletedAt, scan.FindingSeverityCounts, scan.Findings,
                scan.VulnerabilitySourceUpdatedAt));
    }
}
