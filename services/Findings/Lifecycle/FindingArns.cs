using ImageScanning.Findings.IntegrationEvents;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>Inspector finding ARNs: arn:aws:inspector2:&lt;region&gt;:&lt;account&gt;:finding/&lt;32 hex&gt;.</summary>
public sealed class FindingArns(EventBridgeOptions options)
{
    public static string NewId() => Guid.NewGuid().ToString("N");

    public string For(string id) => $"arn:aws:inspector2:{options.Region}:{options.Account}:finding/{id}";
}
