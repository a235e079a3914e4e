using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks.Authentication;

/// <summary>
/// The secret in the URL's query, <c>?token=&lt;WebhookToken&gt;</c> (or a webhook-scope token): for registries whose webhook is a
/// bare URL with no header and no signature (Quay, Docker Hub). Weaker than a header: the URL shows wherever the registry lists
/// the webhook, and in access logs that record query strings, so the token should be one for this registry's webhook only.
/// </summary>
public sealed class UrlTokenAuthentication : IWebhookAuthentication
{
    public const string QueryParameter = "token";

    public static readonly UrlTokenAuthentication Instance = new();

    public bool NeedsBody => false;

    public WebhookRefusal? Refusal(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens, string? body) =>
        registry is null ? WebhookRefusal.Unauthorized() : BearerTokenAuthentication.Judge(registry, Presented(request), tokens);

    public string Partition(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens) =>
        BearerTokenAuthentication.PartitionOf(registry, Presented(request), tokens);

    private static string? Presented(HttpRequest request)
    {
        string? token = request.Query[QueryParameter];
        return string.IsNullOrEmpty(token) ? null : token;
    }
}
