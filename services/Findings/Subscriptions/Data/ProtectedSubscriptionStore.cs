using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Findings.Subscriptions.Data;

/// <summary>
/// Any subscription store with its secrets encrypted at rest: saved encrypted, read decrypted, so the SQLite file or the
/// Mongo collection alone reveals no secret. Rows stored in plain text before are read as they are and re-saved encrypted by
/// <see cref="EncryptPlaintextSecretsAsync"/> (at start-up).
/// </summary>
public sealed class ProtectedSubscriptionStore(ISubscriptionStore inner, SubscriptionSecretProtector protector) : ISubscriptionStore
{
    public ISubscriptionStore In(UnitOfWork work) => new ProtectedSubscriptionStore(inner.In(work), protector);

    /// <summary>Re-saves every subscription whose secret is still plain text; returns how many.</summary>
    public async Task<int> EncryptPlaintextSecretsAsync(CancellationToken cancellationToken = default)
    {
        var plain = (await inner.ListSubscriptionsAsync(cancellationToken)).Where(s => !SubscriptionSecretProtector.IsProtected(s.Secret)).ToList();
        foreach (var subscription in plain)
            await inner.SaveSubscriptionAsync(subscription with { Secret = protector.Protect(subscription.Secret) }, cancellationToken);
        return plain.Count;
    }

    public Task SaveSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default) =>
        inner.SaveSubscriptionAsync(subscription with { Secret = protector.Protect(subscription.Secret) }, cancellationToken);

    public async Task<Subscription?> GetSubscriptionAsync(Guid id, CancellationToken cancellationToken = default) =>
        await inner.GetSubscriptionAsync(id, cancellationToken) is { } stored ? Decrypted(stored) : null;

    public async Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        (await inner.ListSubscriptionsAsync(cancellationToken)).Select(Decrypted).ToList();

    private Subscription Decrypted(Subscription stored) => stored with { Secret = protector.Unprotect(stored.Secret, stored.Id) };

    public Task<bool> DeleteSubscriptionAsync(Guid id, CancellationToken cancellationToken = default) => inner.DeleteSubscriptionAsync(id, cancellationToken);

    public Task<int> EnqueueAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken = default) =>
        inner.EnqueueAsync(deliveries, cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken = default) =>
        inner.ClaimDueAsync(now, lease, limit, cancellationToken);

    public Task MarkDeliveredAsync(Guid deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        inner.MarkDeliveredAsync(deliveryId, at, cancellationToken);

    public Task<int> PruneDeliveredAsync(DateTimeOffset deliveredBefore, CancellationToken cancellationToken = default) =>
        inner.PruneDeliveredAsync(deliveredBefore, cancellationToken);

    public Task MarkRetryAsync(Guid deliveryId, int attempts, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default) =>
        inner.MarkRetryAsync(deliveryId, attempts, error, nextAttemptAt, cancellationToken);

    public Task MarkDeadLetteredAsync(Guid deliveryId, int attempts, string error, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        inner.MarkDeadLetteredAsync(deliveryId, attempts, error, at, cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ListDeadLettersAsync(Guid subscriptionId, CancellationToken cancellationToken = default) =>
        inner.ListDeadLettersAsync(subscriptionId, cancellationToken);

    public Task<int> ReplayDeadLettersAsync(Guid subscriptionId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.ReplayDeadLettersAsync(subscriptionId, now, cancellationToken);

    public Task<long> CountPendingAsync(CancellationToken cancellationToken = default) => inner.CountPendingAsync(cancellationToken);
}
