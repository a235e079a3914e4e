using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

public sealed class ListDeadLettersConsumer(ISubscriptionStore store) : IConsumer<ListDeadLetters>
{
    public async Task Consume(ConsumeContext<ListDeadLetters> context)
    {
        var id = context.Message.SubscriptionId;
        if (await store.GetSubscriptionAsync(id, context.CancellationToken) is null)
        {
            await context.RespondAsync(new DeadLettersResult(false, []));
            return;
        }
        var deadLetters = await store.ListDeadLettersAsync(id, context.CancellationToken);
        await context.RespondAsync(new DeadLettersResult(true, deadLetters.Select(d => d.ToDeadLetterView()).ToList()));
    }
}
