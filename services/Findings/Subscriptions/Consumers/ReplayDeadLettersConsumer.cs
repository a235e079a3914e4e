using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Delivery;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>Queues a subscription's dead letters again, due now, with a fresh set of attempts.</summary>
public sealed class ReplayDeadLettersConsumer(ISubscriptionStore store, DispatchSignal signal, TimeProvider time) : IConsumer<ReplayDeadLetters>
{
    public async Task Consume(ConsumeContext<ReplayDeadLetters> context)
    {
        var id = context.Message.SubscriptionId;
        if (await store.GetSubscriptionAsync(id, context.CancellationToken) is null)
        {
            await context.RespondAsync(new ReplayDeadLettersResult(false, 0));
            return;
        }
        var replayed = await store.ReplayDeadLettersAsync(id, time.GetUtcNow(), context.CancellationToken);
        if (replayed > 0) signal.Notify();
        await context.RespondAsync(new ReplayDeadLettersResult(true, replayed));
    }
}
