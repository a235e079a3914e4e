using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// Diffs the scan against the image's findings and stores both the findings and the scan; then (and only then)
/// announces each finding change and ScanCompleted, which names the vulnerabilities found. Shared by the push lane
/// (ImageScannedConsumer) and the re-scan lane (RescanImageScannedConsumer).
/// </summary>
public sealed class ImageScannedHandler(IFindingsStore store, FindingLifecycleService lifecycle, FindingsMetrics metrics)
{
    public async Task HandleAsync(ConsumeContext<ImageScanned> context)
    {
        var message = context.Message;
        var record = new ImageScanRecord(
            message.ScanId, message.Image, message.ScanType, message.Trigger, ScanStatus.COMPLETE,
            "The scan was completed successfully.", null,
            ImageScanRecord.CountBySeverity(message.Findings), message.Findings,
            message.CompletedAt, message.VulnerabilitySourceUpdatedAt);

        var storing = Stopwatch.GetTimestamp();
        var changes = await lifecycle.ApplyScanAsync(message, context.CancellationToken);
        await store.SaveScanAsync(record, context.CancellationToken);
        metrics.StoreTook(Stopwatch.GetElapsedTime(storing));
        metrics.ScanStored(record);
        foreach (var change in changes) await context.Publish(change, context.CancellationToken);
        var summaries = message.Findings
            .Select(f => new ScanFindingSummary(f.VulnerabilityId, f.Severity, f.Package.Name, f.Package.Version, f.FixedInVersion))
            .ToList();
        await context.Publish(record.ToScanCompleted() with { Findings = summaries }, context.CancellationToken);
    }
}
