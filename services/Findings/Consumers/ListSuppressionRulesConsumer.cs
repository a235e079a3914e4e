using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

public sealed class ListSuppressionRulesConsumer(IFindingLifecycleStore store) : IConsumer<ListSuppressionRules>
{
    public async Task Consume(ConsumeContext<ListSuppressionRules> context) =>
        await context.RespondAsync(new SuppressionRulesResult(await store.ListRulesAsync(context.CancellationToken)));
}
