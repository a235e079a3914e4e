using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>What the Gateway decided about one event of a registry notification.</summary>
public sealed record WebhookEventOutcome(string? EventId, string Outcome, string? Reason)
{
    public const string Accepted = "accepted";
    public const string Ignored = "ignored";
    public const string Rejected = "rejected";
}

/// <summary>The image events of one notification: manifest pushes, manifest pulls, and what was decided about every event.</summary>
public sealed record ParsedNotification(IReadOnlyList<ImagePushed> Pushes, IReadOnlyList<ImagePulled> Pulls, IReadOnlyList<WebhookEventOutcome> Outcomes);

public sealed class WebhookFormatException(string message) : Exception(message);

/// <summary>
/// A notification over one of the Gateway's limits: acknowledged (so the registry moves on to its next one) and rejected whole.
/// <see cref="MetricReason"/> is the webhook rejection metric's reason; the message is what the registry and the log are told.
/// </summary>
public sealed class NotificationOverLimitException(string metricReason, string message) : Exception(message)
{
    public string MetricReason { get; } = metricReason;
}
