using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>The image is no longer monitored: its open findings close (Inspector closes them too), then each closure is announced.</summary>
public sealed class ScanEligibilityExpiredConsumer(FindingLifecycleService lifecycle) : IConsumer<ScanEligibilityExpired>
{
    public async Task Consume(ConsumeContext<ScanEligibilityExpired> context)
    {
        var changes = await lifecycle.ExpireAsync(context.Message.Image, context.Message.ExpiredAt, context.CancellationToken);
        foreach (var change in changes) await context.Publish(change, context.CancellationToken);
    }
}
