using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.Contracts;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions.Delivery;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Consumers;

/// <summary>FindingChanged → "Inspector2 Finding" (created, updated, closed) → a delivery for every matching subscription, de-duplicated on the message id.</summary>
public sealed class FindingChangedSubscriptionConsumer(SubscriptionOutbox outbox, AwsAccount account) : IConsumer<FindingChanged>
{
    public Task Consume(ConsumeContext<FindingChanged> context) =>
        outbox.EnqueueAsync<FindingChangedSubscriptionConsumer>(context, InspectorFindingEnvelope.Render(context.Message, account));
}
