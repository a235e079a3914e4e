namespace ImageScanning.Findings.IntegrationEvents;

/// <summary>The account and region that EventBridge-shaped events and ARNs carry (EventBridge:Account / EventBridge:Region).</summary>
public sealed class EventBridgeOptions
{
    public string Account { get; set; } = "000000000000";
    public string Region { get; set; } = "local";
}
