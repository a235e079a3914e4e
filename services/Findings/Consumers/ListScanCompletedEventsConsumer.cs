using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.IntegrationEvents;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

public sealed class ListScanCompletedEventsConsumer(IFindingsStore store, AwsAccount account) : IConsumer<ListScanCompletedEvents>
{
    public async Task Consume(ConsumeContext<ListScanCompletedEvents> context)
    {
        var scans = await store.ListScansAsync(context.Message.Since, context.Message.Limit, context.CancellationToken);
        var envelopes = scans.Select(s =>
        {
            var completed = s.ToScanCompleted();
            if (s.Status != ScanStatus.COMPLETE) completed = completed with { Status = ScanStatus.FAILED };
            return EventBridgeEnvelopes.RenderJson(completed, account);
        }).ToList();
        await context.RespondAsync(new ScanCompletedEventsResult(envelopes));
    }
}
