using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions.Delivery;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>
/// ScanCompleted → "ECR Image Scan" (BASIC) or "Inspector2 Scan" (ENHANCED, initial scan only: Inspector reports
/// re-scans through Finding events) → a delivery for every subscription whose pattern matches, de-duplicated on the message id.
/// </summary>
public sealed class ScanCompletedSubscriptionConsumer(SubscriptionOutbox outbox, IFindingsStore findings, AwsAccount account)
    : IConsumer<ScanCompleted>
{
    public async Task Consume(ConsumeContext<ScanCompleted> context)
    {
        var scan = context.Message;
        if (scan.ScanType == ScanType.ENHANCED && scan.Trigger == ScanTrigger.RESCAN && scan.Status == ScanStatus.COMPLETE) return;
        if (scan.Findings is null && scan.Status == ScanStatus.COMPLETE) scan = await WithStoredFindingsAsync(scan, context.CancellationToken);
        await outbox.EnqueueAsync<ScanCompletedSubscriptionConsumer>(context, EventBridgeEnvelopes.Render(scan, account));
    }

    /// <summary>A publisher that sends counts only: name the vulnerabilities from the stored scan, committed before the event was sent.</summary>
    private async Task<ScanCompleted> WithStoredFindingsAsync(ScanCompleted scan, CancellationToken cancellationToken)
    {
        var stored = await findings.GetLatestScanAsync(scan.Image.Registry, scan.Image.Repository, scan.Image.Digest, cancellationToken);
        if (stored is null || stored.ScanId != scan.ScanId) return scan;
        return scan with
        {
            Findings = stored.Findings
                .Select(f => new ScanFindingSummary(f.VulnerabilityId, f.Severity, f.Package.Name, f.Package.Version, f.FixedInVersion))
                .ToList(),
        };
    }
}
