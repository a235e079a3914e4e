using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks.Authentication;
using ImageScanning.Gateway.Webhooks.Distribution;

namespace ImageScanning.Gateway.Webhooks.GitHub;

/// <summary>
/// GitHub Container Registry's webhook: event <c>registry_package</c> (or the older <c>package</c>, header X-GitHub-Event), action
/// <c>published</c>, signed with X-Hub-Signature-256 (HMAC-SHA256 of the body with the registry's WebhookSecret). The delivery id is
/// the X-GitHub-Delivery header (a redelivery keeps it). The image is package_version.container_metadata: tag.digest (or the
/// version's name, which GHCR sets to the manifest digest), tag.name and manifest.media_type; the repository is package_url's path.
/// </summary>
public sealed class GitHubPackagesFormat : IWebhookFormat
{
    public const string EventHeader = "X-GitHub-Event";
    public const string DeliveryHeader = "X-GitHub-Delivery";
    public const string SignatureHeader = "X-Hub-Signature-256";

    private static readonly HmacSignatureAuthentication Signature = new(SignatureHeader);

    public string Name => "ghcr";

    public IWebhookAuthentication Authentication => Signature;

    public WebhookParse Parse(WebhookDelivery delivery)
    {
        string? gitHubEvent = delivery.Headers[EventHeader];
        string? deliveryId = delivery.Headers[DeliveryHeader];
        if (gitHubEvent is not ("registry_package" or "package"))
            return Ignored(deliveryId, $"GitHub event '{gitHubEvent ?? "(none)"}' is not registry_package");
        using var document = WebhookFields.ParseObject(delivery.Body, "a GitHub webhook payload");
        var root = document.RootElement;
        var action = WebhookFields.String(root, "action");
        if (action != "published") return Ignored(deliveryId, $"action '{action ?? "(none)"}' is not published");
        if (string.IsNullOrEmpty(deliveryId)) throw new WebhookFormatException($"No {DeliveryHeader} header.");
        var package = WebhookFields.Object(root, gitHubEvent)
            ?? throw new WebhookFormatException($"A {gitHubEvent} event without its \"{gitHubEvent}\" object.");
        var version = WebhookFields.Object(package, "package_version")
            ?? throw new WebhookFormatException($"{gitHubEvent} has no \"package_version\" object.");
        var container = WebhookFields.Object(version, "container_metadata");
        if (container is null) return Ignored(deliveryId, "not a container package (no container_metadata)");

        var repository = RepositoryOf(package, version);
        if (!WebhookFields.IsRepository(repository))
            throw new WebhookFormatException($"The package's repository '{repository}' is not a valid repository name.");
        var tagObject = WebhookFields.Object(container.Value, "tag") ?? default;
        var tag = WebhookFields.String(tagObject, "name");
        tag = WebhookFields.IsTag(tag) ? tag : null;
        var digest = new[] { WebhookFields.String(tagObject, "digest"), WebhookFields.String(version, "version"), WebhookFields.String(version, "name") }
            .FirstOrDefault(WebhookFields.IsDigest);
        if (digest is null && tag is null)
            throw new WebhookFormatException("The package version names neither a sha256 digest nor a tag.");
        var pushedAt = WebhookFields.Time(version, "created_at") is { Year: > 1 } created ? created : delivery.ReceivedAt;
        var mediaType = WebhookFields.String(WebhookFields.Object(container.Value, "manifest") ?? default, "media_type");

        if (digest is not null && mediaType is not null && DistributionNotification.ImageManifestTypes.Contains(mediaType))
            return WebhookParse.Of([new ImagePushed(deliveryId, delivery.Registry, repository!, digest, tag, mediaType, pushedAt)], [],
                [new(deliveryId, WebhookEventOutcome.Accepted, null)]);
        // No media type (or an index, whose platform images the registry lists): the registry says what it is.
        return WebhookParse.Of([], [], [], [new PendingPush(deliveryId, repository!, tag, digest, pushedAt)]);
    }

    /// <summary>The path of package_url ("ghcr.io/owner/name:tag", what docker pull takes), lowercased as GHCR stores it; else owner/name.</summary>
    private static string? RepositoryOf(JsonElement package, JsonElement version)
    {
        var url = WebhookFields.String(version, "package_url");
        if (!string.IsNullOrEmpty(url))
        {
            var slash = url.IndexOf('/');
            var path = slash < 0 ? url : url[(slash + 1)..];
            var end = path.IndexOfAny([':', '@']);
            return (end < 0 ? path : path[..end]).ToLowerInvariant();
        }
        var owner = WebhookFields.String(WebhookFields.Object(package, "owner") ?? default, "login");
        var name = WebhookFields.String(package, "name");
        return owner is null || name is null ? null : $"{owner}/{name}".ToLowerInvariant();
    }

    private static WebhookParse Ignored(string? deliveryId, string reason) =>
        WebhookParse.Of([], [], [new(string.IsNullOrEmpty(deliveryId) ? null : deliveryId, WebhookEventOutcome.Ignored, reason)]);
}
