using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks.Authentication;
using ImageScanning.Gateway.Webhooks.Distribution;

namespace ImageScanning.Gateway.Webhooks.Zot;

/// <summary>
/// Zot's events extension, http sink: CloudEvents in binary mode (ce-id, ce-type, ce-time headers, the body is the data) or in
/// structured mode (application/cloudevents+json: {id, type, time, data}). Types are zotregistry.* or the configured typePrefix.*:
/// image.updated {name, reference, digest, mediaType} is a push of an image manifest (an index is ignored: Zot reports each platform
/// manifest stored on its own, as distribution does); image.deleted, repository.created and image.lint_failed are acknowledged and
/// ignored. Authenticated by the sink's credentials.token, sent as a bearer header.
/// </summary>
public sealed class ZotFormat : IWebhookFormat
{
    public string Name => "zot";

    public IWebhookAuthentication Authentication => BearerTokenAuthentication.Instance;

    public WebhookParse Parse(WebhookDelivery delivery)
    {
        using var document = WebhookFields.ParseObject(delivery.Body, "a Zot CloudEvent");
        var root = document.RootElement;
        string? binaryType = delivery.Headers["ce-type"];
        var (id, type, time, data) = binaryType is not null
            ? ((string?)delivery.Headers["ce-id"], binaryType, DateTimeOffset.TryParse(delivery.Headers["ce-time"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null, root)
            : (WebhookFields.String(root, "id"), WebhookFields.String(root, "type"), WebhookFields.Time(root, "time"), WebhookFields.Object(root, "data") ?? default);
        if (type is null) throw new WebhookFormatException("Not a CloudEvent: no ce-type header and no \"type\".");
        if (!type.EndsWith(".image.updated", StringComparison.Ordinal))
            return Ignored(id, type.EndsWith(".image.deleted", StringComparison.Ordinal)
                ? "an image delete: acknowledged and not acted on (the platform keeps no delete path; distribution's deletes are ignored too)"
                : $"event type '{type}' is not an image update");
        if (string.IsNullOrEmpty(id)) throw new WebhookFormatException("A CloudEvent without an id.");
        if (data.ValueKind != JsonValueKind.Object) throw new WebhookFormatException($"A {type} event without its data object.");

        var repository = WebhookFields.String(data, "name");
        if (!WebhookFields.IsRepository(repository)) throw new WebhookFormatException($"data.name '{repository}' is not a valid repository name.");
        var reference = WebhookFields.String(data, "reference");
        var tag = WebhookFields.IsTag(reference) ? reference : null;
        var digest = WebhookFields.String(data, "digest");
        var mediaType = WebhookFields.String(data, "mediaType");
        var pushedAt = time ?? delivery.ReceivedAt;
        if (mediaType is not null && DistributionNotification.IndexTypes.Contains(mediaType))
            return Ignored(id, "an image index: its platform manifests are scanned on their own");
        if (WebhookFields.IsDigest(digest) && mediaType is not null)
        {
            if (!DistributionNotification.ImageManifestTypes.Contains(mediaType))
                return Ignored(id, $"media type '{mediaType}' is not an image manifest");
            return WebhookParse.Of([new ImagePushed(id, delivery.Registry, repository!, digest!, tag, mediaType, pushedAt)], [],
                [new(id, WebhookEventOutcome.Accepted, null)]);
        }
        if (digest is not null && !WebhookFields.IsDigest(digest)) throw new WebhookFormatException($"data.digest '{digest}' is not a sha256 digest.");
        if (digest is null && tag is null) throw new WebhookFormatException("data names neither a digest nor a tag.");
        return WebhookParse.Of([], [], [], [new PendingPush(id, repository!, tag, digest, pushedAt)]);
    }

    private static WebhookParse Ignored(string? id, string reason) =>
        WebhookParse.Of([], [], [new(string.IsNullOrEmpty(id) ? null : id, WebhookEventOutcome.Ignored, reason)]);
}
