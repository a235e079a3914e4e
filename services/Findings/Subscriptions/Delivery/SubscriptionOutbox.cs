using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Patterns;

namespace ImageScanning.Findings.Subscriptions.Delivery;

/// <summary>
/// Matches an EventBridge envelope against every subscription's pattern and stores one delivery per match before anything
/// is sent, so a subscriber that is down, or a restart, loses nothing.
/// </summary>
public sealed class SubscriptionOutbox(ISubscriptionStore store, DispatchSignal signal, TimeProvider time, ILogger<SubscriptionOutbox> logger)
{
    public const string EnvelopeContentType = "application/json";
    public const string CloudEventsContentType = "application/cloudevents+json";

    private readonly ConcurrentDictionary<string, EventPattern?> _patterns = new();

    /// <summary>Queues the event for each subscription it matches; returns how many deliveries were added.</summary>
    public async Task<int> EnqueueAsync(JsonObject envelope, CancellationToken cancellationToken)
    {
        var json = envelope.ToJsonString();
        // Match on the parsed text: what the subscriber will receive, not the objects that built it.
        var parsed = JsonNode.Parse(json)!.AsObject();
        var eventId = (string)parsed["id"]!;
        var detailType = (string)parsed["detail-type"]!;
        var now = time.GetUtcNow();
        var deliveries = new List<WebhookDelivery>();
        foreach (var subscription in await store.ListSubscriptionsAsync(cancellationToken))
        {
            if (Pattern(subscription) is not { } pattern || !pattern.Matches(parsed)) continue;
            var (contentType, body) = subscription.CloudEvents
                ? (CloudEventsContentType, CloudEvent(parsed).ToJsonString())
                : (EnvelopeContentType, json);
            deliveries.Add(new WebhookDelivery(Guid.NewGuid(), subscription.Id, eventId, detailType, contentType, body,
                DeliveryState.Pending, 0, now, null, now, null));
        }
        if (deliveries.Count == 0) return 0;
        var added = await store.EnqueueAsync(deliveries, cancellationToken);
        logger.LogInformation("Queued {Count} webhook deliveries of {DetailType} {EventId}", added, detailType, eventId);
        signal.Notify();
        return added;
    }

    /// <summary>CloudEvents 1.0 structured mode: the EventBridge envelope is the data; the attributes come from it.</summary>
    public static JsonObject CloudEvent(JsonObject envelope) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = (string?)envelope["id"],
        ["source"] = (string?)envelope["source"],
        ["type"] = (string?)envelope["detail-type"],
        ["subject"] = envelope["resources"] is JsonArray { Count: > 0 } resources ? (string?)resources[0] : null,
        ["time"] = (string?)envelope["time"],
        ["datacontenttype"] = "application/json",
        ["data"] = envelope.DeepClone(),
    };

    private EventPattern? Pattern(Subscription subscription) => _patterns.GetOrAdd(subscription.EventPattern, text =>
    {
        try
        {
            return EventPattern.Parse(text);
        }
        catch (EventPatternException e)
        {
            // Patterns are validated when saved; one that no longer parses matches nothing rather than stopping every delivery.
            logger.LogError("Subscription {SubscriptionId} has an unusable event pattern: {Reason}", subscription.Id, e.Message);
            return null;
        }
    });
}
