using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

public sealed class ListFindingAggregationsConsumer(IFindingLifecycleStore store) : IConsumer<ListFindingAggregations>
{
    public async Task Consume(ConsumeContext<ListFindingAggregations> context) =>
        await context.RespondAsync(await FindingAggregator.AggregateAsync(store, context.Message, context.CancellationToken));
}
