using System.Text.Json;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks.Authentication;

namespace ImageScanning.Gateway.Webhooks.Harbor;

/// <summary>
/// Harbor's webhook payloads, in its Default format ({type, occur_at, operator, event_data}) and its CloudEvents format ({specversion,
/// id, type: harbor.artifact.*, time, data, operator}); both carry event_data {resources[{digest, tag, resource_url}], repository}.
/// Pushes name a digest but no media type, so the registry is asked for the manifest (an index becomes its platform images). Pulls
/// by the account the scanners pull with (Registries:N:Username) are not use of the image. Deletes are acknowledged and not acted
/// on: the platform has no delete path (distribution's deletes are ignored too).
/// </summary>
public sealed class HarborFormat(WebhookRegistryClients registries) : IWebhookFormat
{
    public string Name => "harbor";

    public IWebhookAuthentication Authentication => HeaderSecretAuthentication.Instance;

    public WebhookParse Parse(WebhookDelivery delivery)
    {
        using var document = WebhookFields.ParseObject(delivery.Body, "a Harbor webhook payload");
        var root = document.RootElement;
        var cloudEvent = WebhookFields.String(root, "specversion") is not null;
        var type = WebhookFields.String(root, "type");
        var eventId = cloudEvent ? WebhookFields.String(root, "id") : null;
        var action = ActionOf(type);
        if (action is null)
            return WebhookParse.Of([], [], [new(eventId, WebhookEventOutcome.Ignored, $"event type '{type ?? "(none)"}' is not an artifact push, pull or delete")]);
        if (action == HarborAction.Delete)
            return WebhookParse.Of([], [], [new(eventId, WebhookEventOutcome.Ignored,
                "an artifact delete: acknowledged and not acted on (the platform keeps no delete path; distribution's deletes are ignored too)")]);

        var data = WebhookFields.Object(root, cloudEvent ? "data" : "event_data")
            ?? throw new WebhookFormatException($"A {type} event without its \"{(cloudEvent ? "data" : "event_data")}\" object.");
        if (cloudEvent && string.IsNullOrEmpty(eventId)) throw new WebhookFormatException("A CloudEvents payload without an \"id\".");
        var repository = WebhookFields.String(WebhookFields.Object(data, "repository") ?? default, "repo_full_name");
        if (!WebhookFields.IsRepository(repository))
            throw new WebhookFormatException($"repository.repo_full_name '{repository}' is not a valid repository name.");
        if (!data.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
            throw new WebhookFormatException($"A {type} event without a \"resources\" array.");
        var count = resources.GetArrayLength();
        if (count > delivery.MaxEvents)
            throw new NotificationOverLimitException("too_many_events",
                $"The notification names {count} artifacts, more than the {delivery.MaxEvents} allowed ({WebhookOptions.Section}:MaxEventsPerNotification): none of them were accepted.");
        var at = (cloudEvent ? WebhookFields.Time(root, "time") : WebhookFields.UnixSeconds(root, "occur_at")) ?? delivery.ReceivedAt;
        var operatorName = WebhookFields.String(root, "operator");
        var occurredAt = root.TryGetProperty("occur_at", out var occur) ? occur.ToString() : "";

        var pending = new List<PendingPush>();
        var pulls = new List<ImagePulled>();
        var outcomes = new List<WebhookEventOutcome>();
        var index = 0;
        foreach (var resource in resources.EnumerateArray())
        {
            var digest = WebhookFields.String(resource, "digest");
            if (!WebhookFields.IsDigest(digest))
                throw new WebhookFormatException($"resources[{index}].digest '{digest}' is not a sha256 digest.");
            // One Harbor event may name several artifacts: each gets an id of its own. The Default format has no id: its fields are.
            var id = cloudEvent
                ? (count == 1 ? eventId! : $"{eventId}#{index}")
                : $"{type}:{occurredAt}:{repository}@{digest}";
            index++;
            if (action == HarborAction.Push)
            {
                // Pushed by digest, Harbor puts the digest in "tag".
                var tag = WebhookFields.String(resource, "tag");
                pending.Add(new PendingPush(id, repository!, WebhookFields.IsTag(tag) ? tag : null, digest, at));
            }
            else if (IsScannerAccount(delivery.Registry, operatorName))
                outcomes.Add(new(id, WebhookEventOutcome.Ignored, "a pull by this platform's scanner (the registry's configured Username)"));
            else
            {
                pulls.Add(new ImagePulled(id, delivery.Registry, repository!, digest!, at));
                outcomes.Add(new(id, WebhookEventOutcome.Accepted, null));
            }
        }
        return WebhookParse.Of([], pulls, outcomes, pending);
    }

    private bool IsScannerAccount(string registry, string? operatorName) =>
        !string.IsNullOrEmpty(operatorName) &&
        registries.Find(registry)?.Username is { Length: > 0 } username &&
        string.Equals(username, operatorName, StringComparison.Ordinal);

    private static HarborAction? ActionOf(string? type) => type switch
    {
        "PUSH_ARTIFACT" or "harbor.artifact.pushed" => HarborAction.Push,
        "PULL_ARTIFACT" or "harbor.artifact.pulled" => HarborAction.Pull,
        "DELETE_ARTIFACT" or "harbor.artifact.deleted" => HarborAction.Delete,
        _ => null,
    };

    private enum HarborAction { Push, Pull, Delete }
}
