using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>
/// How one format's notifications prove they come from the registry. No secret, a wrong one or an unknown registry are all 401
/// with the same answer, so nothing can be enumerated.
/// </summary>
public interface IWebhookAuthentication
{
    /// <summary>True when the proof is over the body (a signature): it is then judged after the body is read.</summary>
    bool NeedsBody { get; }

    /// <summary>Null when the notification may be read; <paramref name="body"/> is null before it is read, or when it was too large.</summary>
    WebhookRefusal? Refusal(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens, string? body);

    /// <summary>The rate limiter's partition of the presented credential: the holder's name, never the secret.</summary>
    string Partition(RegistryWebhookOptions? registry, HttpRequest request, ConfiguredTokens tokens);
}

/// <summary>A refused notification: its status and answer.</summary>
public sealed record WebhookRefusal(int StatusCode, IResult Result)
{
    public static WebhookRefusal Unauthorized(string message = "Missing or invalid webhook token.") =>
        new(StatusCodes.Status401Unauthorized, Results.Json(new { message }, statusCode: StatusCodes.Status401Unauthorized));
}
