using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>Deletes the subscription and whatever was still queued or dead-lettered for it.</summary>
public sealed class DeleteSubscriptionConsumer(ISubscriptionStore store) : IConsumer<DeleteSubscription>
{
    public async Task Consume(ConsumeContext<DeleteSubscription> context)
    {
        var removed = await store.DeleteSubscriptionAsync(context.Message.Id, context.CancellationToken);
        await context.RespondAsync(new SubscriptionResult(removed, null, null, null));
    }
}
