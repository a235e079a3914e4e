using ImageScanning.Gateway.Webhooks.Authentication;

namespace ImageScanning.Gateway.Webhooks.DockerHub;

/// <summary>
/// Docker Hub's repository webhook: one payload per push, {callback_url, push_data{pushed_at, pusher, tag}, repository{repo_name,...}},
/// with no event type, no id, no digest and no signature. The tag's manifest is looked up in the registry; the webhook is a bare
/// URL, so it authenticates with ?token= (<see cref="UrlTokenAuthentication"/>). The callback (for automated-build chains) is not called.
/// </summary>
public sealed class DockerHubFormat : IWebhookFormat
{
    public string Name => "dockerhub";

    public IWebhookAuthentication Authentication => UrlTokenAuthentication.Instance;

    public WebhookParse Parse(WebhookDelivery delivery)
    {
        using var document = WebhookFields.ParseObject(delivery.Body, "a Docker Hub webhook payload");
        var root = document.RootElement;
        var pushData = WebhookFields.Object(root, "push_data");
        if (pushData is null)
            return WebhookParse.Of([], [], [new(null, WebhookEventOutcome.Ignored, "not a push (no \"push_data\")")]);
        var repository = WebhookFields.String(WebhookFields.Object(root, "repository") ?? default, "repo_name");
        if (!WebhookFields.IsRepository(repository))
            throw new WebhookFormatException($"repository.repo_name '{repository}' is not a valid repository name.");
        var tag = WebhookFields.String(pushData.Value, "tag");
        if (!WebhookFields.IsTag(tag)) throw new WebhookFormatException($"push_data.tag '{tag}' is not a tag.");
        var pushedAt = WebhookFields.UnixSeconds(pushData.Value, "pushed_at");
        // No id: the push's own fields are. A redelivery has the same pushed_at; a later push of the tag does not.
        var eventId = $"{repository}:{tag}:{pushedAt?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
        return WebhookParse.Of([], [], [], [new PendingPush(eventId, repository!, tag, null, pushedAt ?? delivery.ReceivedAt)]);
    }
}
