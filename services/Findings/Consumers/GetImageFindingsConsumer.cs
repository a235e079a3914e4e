using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>The image's latest scan, and the OS of its inventory (where the console and the API show its end of life).</summary>
public sealed class GetImageFindingsConsumer(IFindingsStore store, IFindingLifecycleStore lifecycle) : IConsumer<GetImageFindings>
{
    public async Task Consume(ConsumeContext<GetImageFindings> context)
    {
        var request = context.Message;
        var scan = await store.GetLatestScanAsync(request.Registry, request.Repository, request.Digest, context.CancellationToken);
        var inventory = scan is null ? null
            : await lifecycle.GetInventoryAsync(FindingRecord.KeyOf(new ImageRef(request.Registry, request.Repository, request.Digest, [])), context.CancellationToken);
        await context.RespondAsync(scan is null
            ? new ImageFindingsResult(false, null, null, null, null, null, new Dictionary<FindingSeverity, int>(), [])
            : new ImageFindingsResult(true, scan.Image, scan.ScanType, scan.Status, scan.StatusDescription, scan.CompletedAt, scan.FindingSeverityCounts, scan.Findings,
                scan.VulnerabilitySourceUpdatedAt, inventory?.OperatingSystem));
    }
}
