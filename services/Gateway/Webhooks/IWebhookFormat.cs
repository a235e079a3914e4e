using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>One notification as received on <c>/webhooks/{format}/{registry}</c>: its body, headers and when it came.</summary>
public sealed record WebhookDelivery(string Registry, string Body, IHeaderDictionary Headers, DateTimeOffset ReceivedAt, int MaxEvents);

/// <summary>
/// A push whose payload does not say everything <see cref="ImagePushed"/> needs: a tag without a digest (Quay, Docker Hub), or a
/// digest without a media type (Harbor). <see cref="RegistryImageResolver"/> asks the registry for the manifest. The event's
/// DeliveryId is <see cref="EventId"/> when the payload gave the digest, else EventId@digest (the payload has no id of its own, so
/// a re-push of the same tag is a new event only when it names new content).
/// </summary>
public sealed record PendingPush(string EventId, string Repository, string? Tag, string? Digest, DateTimeOffset PushedAt);

/// <summary>What a format read from a notification: events complete as they came, and pushes to resolve from the registry.</summary>
public sealed record WebhookParse(ParsedNotification Complete, IReadOnlyList<PendingPush> Pending)
{
    public static WebhookParse Of(IReadOnlyList<ImagePushed> pushes, IReadOnlyList<ImagePulled> pulls, IReadOnlyList<WebhookEventOutcome> outcomes,
        IReadOnlyList<PendingPush>? pending = null) => new(new ParsedNotification(pushes, pulls, outcomes), pending ?? []);
}

/// <summary>
/// One registry's webhook format: how its notifications authenticate and how they are read. The endpoint around it (limits,
/// the outbox, metrics, answers) is shared by every format (<see cref="WebhookEndpoints"/>).
/// </summary>
public interface IWebhookFormat
{
    /// <summary>The route's {format} segment.</summary>
    string Name { get; }

    IWebhookAuthentication Authentication { get; }

    /// <summary>
    /// Reads the notification; throws <see cref="WebhookFormatException"/> when it is malformed and
    /// <see cref="NotificationOverLimitException"/> when it carries more than <see cref="WebhookDelivery.MaxEvents"/> events.
    /// </summary>
    WebhookParse Parse(WebhookDelivery delivery);
}
