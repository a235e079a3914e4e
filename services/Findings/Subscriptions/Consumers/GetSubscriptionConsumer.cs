using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

public sealed class GetSubscriptionConsumer(ISubscriptionStore store) : IConsumer<GetSubscription>
{
    public async Task Consume(ConsumeContext<GetSubscription> context)
    {
        var subscription = await store.GetSubscriptionAsync(context.Message.Id, context.CancellationToken);
        await context.RespondAsync(new SubscriptionResult(subscription is not null, null, subscription?.ToView(), null));
    }
}
