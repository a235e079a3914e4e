using System.Text.Json;
using ImageScanning.Contracts;

namespace ImageScanning.Gateway.Webhooks.Distribution;

/// <summary>
/// Reads a CNCF distribution notification envelope ({"events":[...]}, INTERFACES §4.1) and keeps the
/// manifest push and pull events: blob events carry application/octet-stream, mounts/deletes are ignored.
/// Pulls made by this platform's own scanners (user agent <see cref="ScannerUserAgentPrefix"/>) are not use of the image.
/// </summary>
public static class DistributionNotification
{
    public static readonly IReadOnlySet<string> ImageManifestTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    };

    public static readonly IReadOnlySet<string> IndexTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    };

    /// <summary>The user agent the scanners' registry client sends (ScanEngine RegistryServiceCollectionExtensions).</summary>
    public const string ScannerUserAgentPrefix = "imagescanning-scanner/";

    /// <summary>Parses the envelope's pushes; throws <see cref="WebhookFormatException"/> with a clear message when it is malformed.</summary>
    public static (IReadOnlyList<ImagePushed> Pushes, IReadOnlyList<WebhookEventOutcome> Outcomes) Parse(string registry, string body, DateTimeOffset receivedAt)
    {
        var parsed = ParseEvents(registry, body, receivedAt);
        return (parsed.Pushes, parsed.Outcomes);
    }

    /// <summary>
    /// Parses the envelope's pushes and pulls; throws <see cref="WebhookFormatException"/> with a clear message when it is malformed,
    /// and <see cref="NotificationOverLimitException"/> when it carries more than <paramref name="maxEvents"/> events.
    /// </summary>
    public static ParsedNotification ParseEvents(string registry, string body, DateTimeOffset receivedAt, int maxEvents = int.MaxValue)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(body); }
        catch (JsonException e) { throw new WebhookFormatException($"The body is not valid JSON: {e.Message}"); }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
                throw new WebhookFormatException("Expected a distribution notification envelope: a JSON object with an \"events\" array.");
            // Counted before any is read: a notification over the cap is rejected whole, never half accepted.
            var count = events.GetArrayLength();
            if (count > maxEvents)
                throw new NotificationOverLimitException("too_many_events",
                    $"The notification carries {count} events, more than the {maxEvents} allowed ({WebhookOptions.Section}:MaxEventsPerNotification): none of them were accepted.");

            var pushes = new List<ImagePushed>();
            var pulls = new List<ImagePulled>();
            var outcomes = new List<WebhookEventOutcome>();
            var index = 0;
            foreach (var evt in events.EnumerateArray())
            {
                if (evt.ValueKind == JsonValueKind.Object && String(evt, "action") == "pull")
                {
                    var (pull, pullOutcome) = ReadPull(registry, evt, index++, receivedAt);
                    if (pull is not null) pulls.Add(pull);
                    outcomes.Add(pullOutcome);
                    continue;
                }
                var (push, outcome) = ReadEvent(registry, evt, index++, receivedAt);
                if (push is not null) pushes.Add(push);
                outcomes.Add(outcome);
            }
            return new ParsedNotification(pushes, pulls, outcomes);
        }
    }

    private static (ImagePushed?, WebhookEventOutcome) ReadEvent(string registry, JsonElement evt, int index, DateTimeOffset receivedAt)
    {
        if (evt.ValueKind != JsonValueKind.Object) throw new WebhookFormatException($"events[{index}] is not an object.");
        var id = String(evt, "id");
        var action = String(evt, "action");
        if (action != "push") return (null, new WebhookEventOutcome(id, "ignored", $"action '{action ?? "(none)"}' is not a push"));
        if (!evt.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.Object)
            throw new WebhookFormatException($"events[{index}] is a push without a \"target\" object.");

        var mediaType = String(target, "mediaType");
        if (mediaType is not null && IndexTypes.Contains(mediaType))
            return (null, new WebhookEventOutcome(id, "ignored", "an image index: its platform manifests are scanned on their own"));
        if (mediaType is null || !ImageManifestTypes.Contains(mediaType))
            return (null, new WebhookEventOutcome(id, "ignored", $"media type '{mediaType ?? "(none)"}' is not an image manifest"));

        if (string.IsNullOrEmpty(id)) throw new WebhookFormatException($"events[{index}] has no \"id\".");
        var repository = String(target, "repository");
        if (repository is null || !WebhookFields.IsRepository(repository))
            throw new WebhookFormatException($"events[{index}].target.repository '{repository}' is not a valid repository name.");
        var digest = String(target, "digest");
        if (digest is null || !WebhookFields.IsDigest(digest))
            throw new WebhookFormatException($"events[{index}].target.digest '{digest}' is not a sha256 digest.");
        var tag = String(target, "tag");
        var pushedAt = evt.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.String && ts.TryGetDateTimeOffset(out var at) ? at : receivedAt;

        return (new ImagePushed(id, registry, repository, digest, string.IsNullOrEmpty(tag) ? null : tag, mediaType, pushedAt),
            new WebhookEventOutcome(id, "accepted", null));
    }

    /// <summary>A manifest pull by someone other than our scanners; blob pulls and index pulls are not recorded.</summary>
    private static (ImagePulled?, WebhookEventOutcome) ReadPull(string registry, JsonElement evt, int index, DateTimeOffset receivedAt)
    {
        var id = String(evt, "id");
        if (!evt.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.Object)
            throw new WebhookFormatException($"events[{index}] is a pull without a \"target\" object.");
        var mediaType = String(target, "mediaType");
        if (mediaType is null || !ImageManifestTypes.Contains(mediaType))
            return (null, new WebhookEventOutcome(id, "ignored", $"a pull of media type '{mediaType ?? "(none)"}', not of an image manifest"));
        var userAgent = evt.TryGetProperty("request", out var request) && request.ValueKind == JsonValueKind.Object ? String(request, "useragent") : null;
        if (userAgent is not null && userAgent.StartsWith(ScannerUserAgentPrefix, StringComparison.Ordinal))
            return (null, new WebhookEventOutcome(id, "ignored", "a pull by this platform's scanner"));

        if (string.IsNullOrEmpty(id)) throw new WebhookFormatException($"events[{index}] has no \"id\".");
        var repository = String(target, "repository");
        if (repository is null || !WebhookFields.IsRepository(repository))
            throw new WebhookFormatException($"events[{index}].target.repository '{repository}' is not a valid repository name.");
        var digest = String(target, "digest");
        if (digest is null || !WebhookFields.IsDigest(digest))
            throw new WebhookFormatException($"events[{index}].target.digest '{digest}' is not a sha256 digest.");
        var pulledAt = evt.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.String && ts.TryGetDateTimeOffset(out var at) ? at : receivedAt;
        return (new ImagePulled(id, registry, repository, digest, pulledAt), new WebhookEventOutcome(id, "accepted", null));
    }

    private static string? String(JsonElement element, string name) => WebhookFields.String(element, name);
}
