using ImageScanning.Gateway.Webhooks.Authentication;

namespace ImageScanning.Gateway.Webhooks.Distribution;

/// <summary>The CNCF distribution registry's notifications (and GitLab's, which are the same), with a static bearer header.</summary>
public sealed class DistributionFormat : IWebhookFormat
{
    public string Name => "distribution";

    public IWebhookAuthentication Authentication => BearerTokenAuthentication.Instance;

    public WebhookParse Parse(WebhookDelivery delivery) =>
        new(DistributionNotification.ParseEvents(delivery.Registry, delivery.Body, delivery.ReceivedAt, delivery.MaxEvents), []);
}
