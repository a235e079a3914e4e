using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>Replaces a subscription's URL, pattern and mode; its id and secret stay.</summary>
public sealed class UpdateSubscriptionConsumer(ISubscriptionStore store, SubscriptionTargetPolicy targets, TimeProvider time) : IConsumer<UpdateSubscription>
{
    public async Task Consume(ConsumeContext<UpdateSubscription> context)
    {
        var (id, definition) = (context.Message.Id, context.Message.Definition);
        var existing = await store.GetSubscriptionAsync(id, context.CancellationToken);
        if (existing is null)
        {
            await context.RespondAsync(new SubscriptionResult(false, null, null, null));
            return;
        }
        if ((SubscriptionValidation.Validate(definition) ?? await targets.CheckAsync(definition.TargetUrl, context.CancellationToken)) is { } error)
        {
            await context.RespondAsync(new SubscriptionResult(true, error, existing.ToView(), null));
            return;
        }
        var updated = existing with
        {
            TargetUrl = definition.TargetUrl, EventPattern = definition.EventPattern, CloudEvents = definition.CloudEvents,
            Description = definition.Description, UpdatedAt = SubscriptionValidation.Now(time),
        };
        await store.SaveSubscriptionAsync(updated, context.CancellationToken);
        await context.RespondAsync(new SubscriptionResult(true, null, updated.ToView(), null));
    }
}
