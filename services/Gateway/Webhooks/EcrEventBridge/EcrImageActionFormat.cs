using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks.Authentication;
using ImageScanning.Gateway.Webhooks.Distribution;

namespace ImageScanning.Gateway.Webhooks.EcrEventBridge;

/// <summary>
/// Amazon ECR's "ECR Image Action" events (source aws.ecr), routed by an EventBridge rule to an API destination: the body is
/// the event itself, {version, id, detail-type, source, account, time, region, resources, detail{result, repository-name,
/// image-digest, action-type, image-tag, manifest-media-type?}}. A successful PUSH is an <see cref="ImagePushed"/> (its media type
/// looked up in the registry when the event has none, as older ECR events do); a DELETE is acknowledged and not acted on; other
/// events are ignored. The event's account and region must be the registry's (Registries:N:Ecr): a rule of another account
/// routed here is refused per event. An API destination sends a fixed header, so it authenticates as Harbor does
/// (<see cref="HeaderSecretAuthentication"/>: its API key header is Authorization, the value the WebhookToken or Bearer token).
/// </summary>
public sealed class EcrImageActionFormat(WebhookRegistryClients registries) : IWebhookFormat
{
    public const string DetailType = "ECR Image Action";
    public const string Source = "aws.ecr";

    public string Name => "ecr";

    public IWebhookAuthentication Authentication => HeaderSecretAuthentication.Instance;

    public WebhookParse Parse(WebhookDelivery delivery)
    {
        using var document = WebhookFields.ParseObject(delivery.Body, "an EventBridge event");
        var root = document.RootElement;
        var id = WebhookFields.String(root, "id");
        var detailType = WebhookFields.String(root, "detail-type");
        var source = WebhookFields.String(root, "source");
        if (detailType != DetailType || source != Source)
            return Ignored(id, $"'{detailType ?? "(no detail-type)"}' from '{source ?? "(no source)"}' is not an {DetailType} event of {Source}");
        if (string.IsNullOrEmpty(id)) throw new WebhookFormatException("An EventBridge event without an id.");
        if (WebhookFields.Object(root, "detail") is not { } detail) throw new WebhookFormatException($"An {DetailType} event without its detail object.");

        if (Mismatch(delivery.Registry, WebhookFields.String(root, "account"), WebhookFields.String(root, "region")) is { } refusal)
            return WebhookParse.Of([], [], [new(id, WebhookEventOutcome.Rejected, refusal)]);

        var action = WebhookFields.String(detail, "action-type");
        var result = WebhookFields.String(detail, "result");
        if (action == "DELETE")
            return Ignored(id, "an image delete: acknowledged and not acted on (the platform keeps no delete path; distribution's deletes are ignored too)");
        if (action != "PUSH") return Ignored(id, $"action-type '{action ?? "(none)"}' is not a push");
        if (result != "SUCCESS") return Ignored(id, $"a push whose result is '{result ?? "(none)"}', not SUCCESS");

        var repository = WebhookFields.String(detail, "repository-name");
        if (!WebhookFields.IsRepository(repository)) throw new WebhookFormatException($"detail.repository-name '{repository}' is not a valid repository name.");
        var digest = WebhookFields.String(detail, "image-digest");
        if (!WebhookFields.IsDigest(digest)) throw new WebhookFormatException($"detail.image-digest '{digest}' is not a sha256 digest.");
        var tagField = WebhookFields.String(detail, "image-tag");
        // A push by digest has no tag (ECR leaves image-tag out or empty).
        var tag = string.IsNullOrEmpty(tagField) ? null
            : WebhookFields.IsTag(tagField) ? tagField : throw new WebhookFormatException($"detail.image-tag '{tagField}' is not a tag.");
        var pushedAt = WebhookFields.Time(root, "time") ?? delivery.ReceivedAt;

        var mediaType = WebhookFields.String(detail, "manifest-media-type");
        if (mediaType is null) return WebhookParse.Of([], [], [], [new PendingPush(id, repository!, tag, digest, pushedAt)]);
        if (DistributionNotification.IndexTypes.Contains(mediaType))
            return Ignored(id, "an image index: ECR reports each platform manifest's own push");
        if (!DistributionNotification.ImageManifestTypes.Contains(mediaType))
            return Ignored(id, $"media type '{mediaType}' is not an image manifest");
        return WebhookParse.Of([new ImagePushed(id, delivery.Registry, repository!, digest!, tag, mediaType, pushedAt)], [],
            [new(id, WebhookEventOutcome.Accepted, null)]);
    }

    /// <summary>Why an event of this account and region is not the registry's, or null when it is.</summary>
    private string? Mismatch(string registry, string? account, string? region)
    {
        var ecr = registries.Find(registry)?.Ecr;
        if (ecr is null || ecr.AccountId.Length == 0 || ecr.Region.Length == 0)
            return $"registry '{registry}' is not configured as an ECR registry (Registries:N:Ecr:AccountId and Region)";
        if (account != ecr.AccountId || region != ecr.Region)
            return $"the event is of account {account ?? "(none)"} in {region ?? "(none)"}; registry '{registry}' is account {ecr.AccountId} in {ecr.Region}";
        return null;
    }

    private static WebhookParse Ignored(string? id, string reason) =>
        WebhookParse.Of([], [], [new(string.IsNullOrEmpty(id) ? null : id, WebhookEventOutcome.Ignored, reason)]);
}
