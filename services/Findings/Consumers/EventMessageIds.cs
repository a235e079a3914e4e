using System.Security.Cryptography;
using System.Text;
using ImageScanning.Contracts;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// Message ids of the events Findings publishes, derived from what they announce. The same result or change announced again (its
/// message redelivered under another id, a rule re-applied) goes out with the same id: the outbox stores it once, and consumers'
/// inboxes skip a copy that was already sent.
/// </summary>
public static class EventMessageIds
{
    public static Guid ScanCompleted(Guid scanId, ScanStatus status) => Derive(nameof(ScanCompleted), scanId.ToString("D"), status.ToString());

    public static Guid ScanFailed(Guid scanId) => Derive(nameof(ScanFailed), scanId.ToString("D"));

    /// <summary>The failure Findings records for a scan whose ScanImage faulted.</summary>
    public static Guid ImageScanFailed(Guid scanId) => Derive(nameof(ImageScanFailed), scanId.ToString("D"));

    /// <summary>The same parts as the change's EventBridge event id: one finding, one change, one status, one time.</summary>
    public static Guid FindingChanged(FindingChanged change) =>
        Derive(nameof(FindingChanged), change.FindingArn, change.Change.ToString(), change.Status.ToString(),
            change.UpdatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static Guid Derive(params string[] parts)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)), hash);
        return new Guid(hash[..16]);
    }
}
