using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.AwsWire;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Aws;

namespace ImageScanning.Findings.IntegrationEvents;

/// <summary>
/// §3.5 "Inspector2 Finding": the detail is Inspector's camelCase Finding (the one renderer, in its EventBridge form with
/// display-string timestamps), emitted on every change of a finding (created, updated, closed) under the finding's stable ARN.
/// </summary>
public static class InspectorFindingEnvelope
{
    public const string DetailType = "Inspector2 Finding";

    public static JsonObject Render(FindingChanged change, AwsAccount account)
    {
        var detail = InspectorFindingJson.Render(AsDetail(change), account, InspectorFindingForm.EventBridge);
        var imageArn = account.ImageArn(change.Image.Registry, change.Image.Repository, change.Image.Digest);
        return EventBridgeEnvelopes.Envelope(EventId(change), change.UpdatedAt, account, DetailType, "aws.inspector2", imageArn, detail);
    }

    /// <summary>The same change redelivered gets the same id; a new change of the same finding gets a new one.</summary>
    public static string EventId(FindingChanged change)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{change.FindingArn}|{change.Change}|{change.Status}|{change.UpdatedAt.ToUnixTimeMilliseconds()}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private static FindingDetail AsDetail(FindingChanged change) => new(
        change.FindingArn, change.Status, change.FixAvailable, change.Image, change.ScanType, change.Finding, SuppressedByRuleId: null,
        change.FirstObservedAt, change.LastObservedAt, change.UpdatedAt, ClosedAt: null);
}
