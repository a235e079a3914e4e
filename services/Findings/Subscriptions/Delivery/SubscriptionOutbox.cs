using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Patterns;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Subscriptions.Delivery;

/// <summary>
/// Matches an EventBridge envelope against every subscription's pattern and stores one delivery per match before anything is sent,
/// so a subscriber that is down, or a restart, loses nothing. The deliveries commit with the inbox mark of the event they render:
/// a redelivered event adds nothing, and one that failed before its commit is queued by its retry.
/// </summary>
public sealed class SubscriptionOutbox(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database,
    ISubscriptionStore store, DispatchSignal signal, TimeProvider time, ILogger<SubscriptionOutbox> logger)
{
    public const string EnvelopeContentType = "application/json";
    public const string CloudEventsContentType = "application/cloudevents+json";

    private readonly ConcurrentDictionary<string, EventPattern?> _patterns = new();

    /// <summary>
    /// Queues the event <paramref name="context"/> holds, rendered as <paramref name="envelope"/>, for each subscription it matches,
    /// in one unit of work marked handled by <typeparamref name="TConsumer"/>; returns how many deliveries were added.
    /// </summary>
    public async Task<int> EnqueueAsync<TConsumer>(ConsumeContext context, JsonObject envelope)
    {
        var ct = context.CancellationToken;
        var json = envelope.ToJsonString();
        // Match on the parsed text: what the subscriber will receive, not the objects that built it.
        var parsed = JsonNode.Parse(json)!.AsObject();
        // Most events match no subscription: then there is nothing to store, and no write lock or transaction is taken.
        if (Match(await store.ListSubscriptionsAsync(ct), parsed, json).Count == 0) return 0;

        await using var work = await database.BeginAsync<TConsumer>(context);
        if (work.AlreadyHandled) return 0;
        var joined = store.In(work);
        // Read again in the transaction: a subscription deleted meanwhile gets no delivery.
        var deliveries = Match(await joined.ListSubscriptionsAsync(ct), parsed, json);
        var added = deliveries.Count == 0 ? 0 : await joined.EnqueueAsync(deliveries, ct);
        await work.CommitAsync<TConsumer>(context);
        if (added > 0)
        {
            logger.LogInformation("Queued {Count} webhook deliveries of {DetailType} {EventId}", added, deliveries[0].DetailType, deliveries[0].EventId);
            signal.Notify();
        }
        return added;
    }

    private List<WebhookDelivery> Match(IReadOnlyList<Subscription> subscriptions, JsonObject parsed, string json)
    {
        var eventId = (string)parsed["id"]!;
        var detailType = (string)parsed["detail-type"]!;
        var now = time.GetUtcNow();
        var deliveries = new List<WebhookDelivery>();
        foreach (var subscription in subscriptions)
        {
            if (Pattern(subscription) is not { } pattern || !pattern.Matches(parsed)) continue;
            var (contentType, body) = subscription.CloudEvents
                ? (CloudEventsContentType, CloudEvent(parsed).ToJsonString())
                : (EnvelopeContentType, json);
            deliveries.Add(new WebhookDelivery(Guid.NewGuid(), subscription.Id, eventId, detailType, contentType, body,
                DeliveryState.Pending, 0, now, null, now, null));
        }
        return deliveries;
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
