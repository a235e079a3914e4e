using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions.Delivery;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>
/// ScanFailed → "ECR Image Scan" with scan-status FAILED (ECR's only failed-scan event). It carries the scan id as its
/// event id, so if a ScanCompleted with status FAILED is published for the same scan, each subscriber still gets one. De-duplicated
/// on the message id.
/// </summary>
public sealed class ScanFailedSubscriptionConsumer(SubscriptionOutbox outbox, AwsAccount account) : IConsumer<ScanFailed>
{
    public async Task Consume(ConsumeContext<ScanFailed> context)
    {
        var failed = context.Message;
        var asScan = new ScanCompleted(failed.ScanId, failed.Image, failed.ScanType, failed.Trigger, ScanStatus.FAILED,
            new Dictionary<FindingSeverity, int>(), failed.Reason, failed.FailedAt, []);
        await outbox.EnqueueAsync<ScanFailedSubscriptionConsumer>(context, EventBridgeEnvelopes.EcrImageScan(asScan, account));
    }
}
