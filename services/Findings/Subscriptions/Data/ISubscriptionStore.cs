using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Findings.Subscriptions.Data;

/// <summary>A webhook subscription as stored: the definition plus the signing secret, which only the dispatcher reads.</summary>
public sealed record Subscription(
    Guid Id, string TargetUrl, string EventPattern, bool CloudEvents, string? Description, string Secret,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Delivered rows are kept for a while so a redelivered bus event is recognised and not sent twice.</summary>
public enum DeliveryState { Pending, DeadLettered, Delivered }

/// <summary>
/// One event bound for one subscription (the outbox row): the exact body and content type are fixed when the
/// event matches, so a retry or a replay sends the same bytes under the same signature.
/// </summary>
public sealed record WebhookDelivery(
    Guid Id, Guid SubscriptionId, string EventId, string DetailType, string ContentType, string Body,
    DeliveryState State, int Attempts, DateTimeOffset NextAttemptAt, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? DeadLetteredAt);

/// <summary>
/// Subscriptions and their deliveries (the webhook outbox). SQLite (standalone) and Mongo (distributed) pass one contract suite.
/// Joined with a unit of work, deliveries are queued in the transaction that marks their event handled.
/// </summary>
public interface ISubscriptionStore : ITransactionalStore<ISubscriptionStore>
{
    Task SaveSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default);

    Task<Subscription?> GetSubscriptionAsync(Guid id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the subscription and every delivery still bound for it; false when there was none.</summary>
    Task<bool> DeleteSubscriptionAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Adds deliveries; one already stored for the same subscription and event id is kept, not duplicated (bus redelivery).</summary>
    Task<int> EnqueueAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pending deliveries due at <paramref name="now"/>, oldest first, leased until now + lease so a second dispatcher
    /// (another replica) skips them; a dispatcher that dies mid-send loses nothing, the lease just runs out.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken = default);

    /// <summary>Marks the delivery sent; it stays (not pending, not listed) until pruned, to de-duplicate redelivered events.</summary>
    Task MarkDeliveredAsync(Guid deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Forgets deliveries sent before the given time; returns how many.</summary>
    Task<int> PruneDeliveredAsync(DateTimeOffset deliveredBefore, CancellationToken cancellationToken = default);

    /// <summary>Records a failed attempt and when to try again.</summary>
    Task MarkRetryAsync(Guid deliveryId, int attempts, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default);

    Task MarkDeadLetteredAsync(Guid deliveryId, int attempts, string error, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WebhookDelivery>> ListDeadLettersAsync(Guid subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>Puts the subscription's dead letters back in the outbox, due now, from attempt one; returns how many.</summary>
    Task<int> ReplayDeadLettersAsync(Guid subscriptionId, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<long> CountPendingAsync(CancellationToken cancellationToken = default);
}
