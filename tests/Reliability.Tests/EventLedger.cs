using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.Reliability.Tests;

/// <summary>What a subscriber saw of one image: its scan events and its finding events, by event id, with every copy counted.</summary>
public sealed class ObservedImage(string digest)
{
    public string Digest { get; } = digest;

    /// <summary>Distinct "ECR Image Scan" event ids; more than one is a duplicated announcement.</summary>
    public HashSet<string> ScanEventIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Every "ECR Image Scan" copy delivered, the same id redelivered included.</summary>
    public int ScanDeliveries { get; set; }

    public string? Status { get; set; }
    public string? FailureDescription { get; set; }
    public int Vulnerabilities { get; set; }

    /// <summary>Distinct "Inspector2 Finding" event ids per (finding ARN, status); more than one id for a pair is a duplicate.</summary>
    public Dictionary<string, HashSet<string>> FindingEventIds { get; } = new(StringComparer.Ordinal);

    public int FindingDeliveries { get; set; }
}

/// <summary>
/// Reads the signed EventBridge envelopes a <see cref="WebhookReceiver"/> accepted: the subscriber's view, which is what the
/// platform promises. "ECR Image Scan" envelopes name the image digest and status; "Inspector2 Finding" envelopes the finding ARN.
/// </summary>
public sealed class EventLedger(WebhookReceiver receiver)
{
    public IReadOnlyDictionary<string, ObservedImage> Snapshot()
    {
        var images = new Dictionary<string, ObservedImage>(StringComparer.Ordinal);
        ObservedImage Of(string digest) => images.TryGetValue(digest, out var seen) ? seen : images[digest] = new ObservedImage(digest);
        foreach (var request in receiver.Accepted)
        {
            if (JsonNode.Parse(request.Body) is not JsonObject envelope) continue;
            var id = (string?)envelope["id"] ?? "";
            var detail = envelope["detail"];
            switch ((string?)envelope["detail-type"])
            {
                case "ECR Image Scan":
                    var image = Of((string)detail!["image-digest"]!);
                    image.ScanEventIds.Add(id);
                    image.ScanDeliveries++;
                    image.Status = (string?)detail["scan-status"];
                    image.FailureDescription = (string?)detail["failure-description"] ?? (string?)detail["failure-reason"];
                    image.Vulnerabilities = detail["vulnerabilities"]?.AsArray().Count ?? 0;
                    break;
                case "Inspector2 Finding":
                    var digest = (string?)detail!["resources"]?[0]?["details"]?["awsEcrContainerImage"]?["imageHash"];
                    if (digest is null) continue;
                    var owner = Of(digest);
                    var key = $"{(string?)detail["findingArn"]}|{(string?)detail["status"]}";
                    if (!owner.FindingEventIds.TryGetValue(key, out var ids)) owner.FindingEventIds[key] = ids = new(StringComparer.Ordinal);
                    ids.Add(id);
                    owner.FindingDeliveries++;
                    break;
            }
        }
        return images;
    }
}
