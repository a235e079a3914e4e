using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks.Authentication;

/// <summary>
/// <c>Authorization: Bearer &lt;secret&gt;</c>: the registry's own webhook token (Registries:N:WebhookToken), or a token with the
/// <c>webhook</c> scope, for any configured registry (distribution and Zot send a static header). Another known token is forbidden
/// (403).
/// </summary>
public sealed class BearerTokenAuthentication : IWebhookAuthentication
{
    public static readonly BearerTokenAuthentication Instance = new();

    public bool NeedsBody => false;

    public WebhookRefusal? Refusal(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens, string? body) =>
        registry is null ? WebhookRefusal.Unauthorized() : Judge(registry, ApiAuthentication.BearerToken(request), tokens);

    public string Partition(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens) =>
        PartitionOf(registry, ApiAuthentication.BearerToken(request), tokens);

    /// <summary>The registry's own token, a webhook-scope token (accepted), another known token (403) or anything else (401).</summary>
    internal static WebhookRefusal? Judge(RegistryWebhookOptions registry, string? presented, ConfiguredTokens tokens)
    {
        if (presented is null) return WebhookRefusal.Unauthorized();
        if (ApiAuthentication.Matches(presented, [registry.WebhookToken])) return null;
        var grant = tokens.Find(presented);
        if (grant?.Scopes.Contains(TokenScopes.Webhook) == true) return null;
        if (grant is not null)
            return new WebhookRefusal(StatusCodes.Status403Forbidden, Results.Json(
                new { message = $"This token has no '{TokenScopes.Webhook}' scope: it may not post registry notifications." },
                statusCode: StatusCodes.Status403Forbidden));
        return WebhookRefusal.Unauthorized();
    }

    internal static string PartitionOf(RegistryWebhookOptions? registry, string? presented, ConfiguredTokens tokens)
    {
        if (presented is null) return "anonymous";
        if (registry is not null && ApiAuthentication.Matches(presented, [registry.WebhookToken])) return "registry:" + registry.Name;
        return tokens.Find(presented) is { } grant ? "token:" + grant.Name : "unknown";
    }
}
