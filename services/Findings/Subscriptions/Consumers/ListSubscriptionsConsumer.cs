using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

public sealed class ListSubscriptionsConsumer(ISubscriptionStore store) : IConsumer<ListSubscriptions>
{
    public async Task Consume(ConsumeContext<ListSubscriptions> context)
    {
        var subscriptions = await store.ListSubscriptionsAsync(context.CancellationToken);
        await context.RespondAsync(new SubscriptionListResult(subscriptions.Select(s => s.ToView()).ToList()));
    }
}
