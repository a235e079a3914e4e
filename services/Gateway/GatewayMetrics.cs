using System.Diagnostics.Metrics;

namespace ImageScanning.Gateway;

/// <summary>Registry webhook deliveries: accepted image pushes, ignored events and rejected requests.</summary>
public sealed class GatewayMetrics
{
    private readonly Counter<long> _events;
    private readonly Counter<long> _rejected;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.Gateway");
        _events = meter.CreateCounter<long>("imagescanning.gateway.webhook_events", "{event}", "Registry webhook events received, by outcome.");
        _rejected = meter.CreateCounter<long>("imagescanning.gateway.webhook_rejections", "{request}", "Webhook requests rejected, by reason.");
    }

    public void WebhookAccepted(int accepted, int ignored)
    {
        _events.Add(accepted, new KeyValuePair<string, object?>("outcome", "accepted"));
        _events.Add(ignored, new KeyValuePair<string, object?>("outcome", "ignored"));
    }

    public void WebhookRejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
