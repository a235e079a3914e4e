using ImageScanning.Contracts;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Delivery;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>Creates a webhook subscription with a new signing secret, which this answer carries the only time.</summary>
public sealed class CreateSubscriptionConsumer(
    ISubscriptionStore store, SubscriptionTargetPolicy targets, TimeProvider time, ILogger<CreateSubscriptionConsumer> logger)
    : IConsumer<CreateSubscription>
{
    public async Task Consume(ConsumeContext<CreateSubscription> context)
    {
        var definition = context.Message.Definition;
        if ((SubscriptionValidation.Validate(definition) ?? await targets.CheckAsync(definition.TargetUrl, context.CancellationToken)) is { } error)
        {
            await context.RespondAsync(new SubscriptionResult(false, error, null, null));
            return;
        }
        var now = SubscriptionValidation.Now(time);
        var subscription = new Subscription(Guid.NewGuid(), definition.TargetUrl, definition.EventPattern, definition.CloudEvents,
            definition.Description, WebhookSignature.NewSecret(), now, now);
        await store.SaveSubscriptionAsync(subscription, context.CancellationToken);
        logger.LogInformation("Created webhook subscription {SubscriptionId} to {TargetHost}", subscription.Id, new Uri(subscription.TargetUrl).Host);
        await context.RespondAsync(new SubscriptionResult(true, null, subscription.ToView(), subscription.Secret));
    }
}
