using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions.Delivery;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>FindingChanged → "Inspector2 Finding" (created, updated, closed) → the outbox of every matching subscription.</summary>
public sealed class FindingChangedSubscriptionConsumer(SubscriptionOutbox outbox, EventBridgeOptions options) : IConsumer<FindingChanged>
{
    public Task Consume(ConsumeContext<FindingChanged> context) =>
        outbox.EnqueueAsync(InspectorFindingEnvelope.Render(context.Message, options), context.CancellationToken);
}
