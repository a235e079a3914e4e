using System.Text.Json;
using ImageScanning.Gateway.Webhooks.Authentication;

namespace ImageScanning.Gateway.Webhooks.Quay;

/// <summary>
/// Quay's repository notifications, webhook method: the body is the event's data with no event name and no id. A Repository Push
/// (repo_push) is the one with <c>updated_tags</c> (a list of tags; old Quay versions sent an object of tag to image id, whose keys
/// are the tags); every other event (builds, vulnerability_found, mirror syncs) is acknowledged and ignored. No digest: each tag's
/// manifest is looked up in the registry. Quay's webhook is a bare URL, so it authenticates with ?token= (<see cref="UrlTokenAuthentication"/>).
/// </summary>
public sealed class QuayFormat : IWebhookFormat
{
    public string Name => "quay";

    public IWebhookAuthentication Authentication => UrlTokenAuthentication.Instance;

    public WebhookParse Parse(WebhookDelivery delivery)
    {
        using var document = WebhookFields.ParseObject(delivery.Body, "a Quay notification");
        var root = document.RootElement;
        if (!root.TryGetProperty("updated_tags", out var updated))
            return WebhookParse.Of([], [], [new(null, WebhookEventOutcome.Ignored, Kind(root) + " is not a repository push (no \"updated_tags\")")]);

        var repository = WebhookFields.String(root, "repository");
        if (!WebhookFields.IsRepository(repository))
            throw new WebhookFormatException($"\"repository\" '{repository}' is not a valid repository name.");
        var tags = updated.ValueKind switch
        {
            JsonValueKind.Array => updated.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null).ToList(),
            JsonValueKind.Object => updated.EnumerateObject().Select(p => (string?)p.Name).ToList(),
            _ => throw new WebhookFormatException("\"updated_tags\" is neither a list of tags nor an object keyed by tag."),
        };
        if (tags.Count > delivery.MaxEvents)
            throw new NotificationOverLimitException("too_many_events",
                $"The notification names {tags.Count} tags, more than the {delivery.MaxEvents} allowed ({WebhookOptions.Section}:MaxEventsPerNotification): none of them were accepted.");
        var pending = new List<PendingPush>();
        foreach (var tag in tags)
        {
            if (!WebhookFields.IsTag(tag)) throw new WebhookFormatException($"updated_tags holds '{tag}', which is not a tag.");
            pending.Add(new PendingPush($"{repository}:{tag}", repository!, tag, null, delivery.ReceivedAt));
        }
        if (pending.Count == 0) return WebhookParse.Of([], [], [new(null, WebhookEventOutcome.Ignored, "a repository push that updated no tags")]);
        return WebhookParse.Of([], [], [], pending);
    }

    private static string Kind(JsonElement root) =>
        root.TryGetProperty("build_id", out _) ? "a build event"
        : root.TryGetProperty("vulnerability", out _) || root.TryGetProperty("vulnerabilities", out _) ? "a vulnerability_found event"
        : "this event";
}
