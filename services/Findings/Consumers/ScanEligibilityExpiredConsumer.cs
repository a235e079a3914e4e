using ImageScanning.Contracts;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// The image is no longer monitored: its open findings close (Inspector closes them too) and each closure is announced, in one
/// unit of work de-duplicated on the message id.
/// </summary>
public sealed class ScanEligibilityExpiredConsumer(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database, FindingLifecycleService lifecycle)
    : IConsumer<ScanEligibilityExpired>
{
    public async Task Consume(ConsumeContext<ScanEligibilityExpired> context)
    {
        await using var work = await database.BeginAsync<ScanEligibilityExpiredConsumer>(context);
        if (work.AlreadyHandled) return;
        var changes = await lifecycle.In(work).ExpireAsync(context.Message.Image, context.Message.ExpiredAt, context.CancellationToken);
        foreach (var change in changes) work.Publish(change, EventMessageIds.FindingChanged(change));
        await work.CommitAsync<ScanEligibilityExpiredConsumer>(context);
    }
}
