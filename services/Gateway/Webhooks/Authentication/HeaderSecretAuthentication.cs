using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks.Authentication;

/// <summary>
/// A fixed <c>Authorization</c> value the registry sends as configured (Harbor's webhook policy "Auth Header"): the whole value is
/// the registry's WebhookToken, or it is <c>Bearer &lt;WebhookToken&gt;</c> or a webhook-scope token as for distribution.
/// </summary>
public sealed class HeaderSecretAuthentication : IWebhookAuthentication
{
    public static readonly HeaderSecretAuthentication Instance = new();

    public bool NeedsBody => false;

    public WebhookRefusal? Refusal(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens, string? body)
    {
        if (registry is null) return WebhookRefusal.Unauthorized();
        string? header = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header) && ApiAuthentication.Matches(header.Trim(), [registry.WebhookToken])) return null;
        return BearerTokenAuthentication.Judge(registry, ApiAuthentication.BearerToken(request), tokens);
    }

    public string Partition(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens)
    {
        string? header = request.Headers.Authorization;
        if (registry is not null && !string.IsNullOrEmpty(header) && ApiAuthentication.Matches(header.Trim(), [registry.WebhookToken]))
            return "registry:" + registry.Name;
        return BearerTokenAuthentication.PartitionOf(registry, ApiAuthentication.BearerToken(request), tokens);
    }
}
