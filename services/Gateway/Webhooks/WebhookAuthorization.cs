using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>A refused notification: its status and answer.</summary>
public sealed record WebhookRefusal(int StatusCode, IResult Result);

/// <summary>
/// Who may post to <c>/webhooks/distribution/{registry}</c>: the registry's own webhook token (Registries:N:WebhookToken), or a
/// token with the <c>webhook</c> scope, for any configured registry. Another known token is forbidden (403); no token, an unknown
/// one or an unknown registry are all 401 with the same answer, so nothing can be enumerated.
/// </summary>
public static class WebhookAuthorization
{
    public static WebhookRefusal? Refusal(string registry, HttpRequest request, ConfiguredRegistries registries, ConfiguredTokens tokens)
    {
        var configured = registries.Find(registry);
        var presented = ApiAuthentication.BearerToken(request);
        if (configured is not null && presented is not null)
        {
            if (ApiAuthentication.Matches(presented, [configured.WebhookToken])) return null;
            var grant = tokens.Find(presented);
            if (grant?.Scopes.Contains(TokenScopes.Webhook) == true) return null;
            if (grant is not null)
                return new WebhookRefusal(StatusCodes.Status403Forbidden, Results.Json(
                    new { message = $"This token has no '{TokenScopes.Webhook}' scope: it may not post registry notifications." },
                    statusCode: StatusCodes.Status403Forbidden));
        }
        return new WebhookRefusal(StatusCodes.Status401Unauthorized,
            Results.Json(new { message = "Missing or invalid webhook token." }, statusCode: StatusCodes.Status401Unauthorized));
    }

    /// <summary>The partition key of a notification's token for rate limiting: the holder's name, never the secret.</summary>
    public static string TokenPartition(string registry, HttpRequest request, ConfiguredRegistries registries, ConfiguredTokens tokens)
    {
        var presented = ApiAuthentication.BearerToken(request);
        if (presented is null) return "anonymous";
        if (registries.Find(registry) is { } configured && ApiAuthentication.Matches(presented, [configured.WebhookToken]))
            return "registry:" + configured.Name;
        return tokens.Find(presented) is { } grant ? "token:" + grant.Name : "unknown";
    }
}
