namespace ImageScanning.Contracts;

/// <summary>
/// What a webhook subscription is: where to POST, which events (an EventBridge event pattern, as JSON text),
/// and whether the body is the bare EventBridge envelope or a CloudEvents 1.0 structured event wrapping it.
/// </summary>
public sealed record SubscriptionDefinition(string TargetUrl, string EventPattern, bool CloudEvents, string? Description);

/// <summary>A subscription as the API shows it: never with its secret.</summary>
public sealed record SubscriptionView(
    Guid Id, string TargetUrl, string EventPattern, bool CloudEvents, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateSubscription(SubscriptionDefinition Definition);

public sealed record UpdateSubscription(Guid Id, SubscriptionDefinition Definition);

public sealed record GetSubscription(Guid Id);

public sealed record DeleteSubscription(Guid Id);

public sealed record ListSubscriptions;

/// <summary>
/// The answer to create/get/update/delete. Error is set (and nothing changed) when the definition was refused;
/// Secret is set only in the answer to CreateSubscription, the one time it is shown.
/// </summary>
public sealed record SubscriptionResult(bool Found, string? Error, SubscriptionView? Subscription, string? Secret);

public sealed record SubscriptionListResult(IReadOnlyList<SubscriptionView> Subscriptions);

public sealed record ListDeadLetters(Guid SubscriptionId);

/// <summary>A delivery that failed every attempt; replaying it queues it again from attempt one.</summary>
public sealed record DeadLetterView(
    Guid DeliveryId, string EventId, string DetailType, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? DeadLetteredAt);

public sealed record DeadLettersResult(bool Found, IReadOnlyList<DeadLetterView> DeadLetters);

public sealed record ReplayDeadLetters(Guid SubscriptionId);

public sealed record ReplayDeadLettersResult(bool Found, int Replayed);
