using ImageScanning.ServiceDefaults.Http;
using ImageScanning.ServiceDefaults.Security;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Webhooks;

public static class WebhookEndpoints
{
    /// <summary>What a registry is told to wait before sending a refused notification again.</summary>
    private const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // Each format authenticates the way its registry can (a static header, a signature, a token in the URL), judged here rather
        // than by the API token scheme (see IWebhookAuthentication). /webhooks/distribution/{registry} is the distribution format.
        app.MapPost("/webhooks/{format}/{registry}", ReceiveNotification).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> ReceiveNotification(
        string format, string registry, HttpRequest request, WebhookFormats formats, ConfiguredRegistries registries, ConfiguredTokens tokens,
        WebhookEventStore events, RegistryImageResolver resolver, IOptions<WebhookOptions> webhookOptions, GatewayMetrics metrics,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (formats.Find(format) is not { } webhook)
        {
            metrics.WebhookRejected("unknown_format");
            return Results.NotFound(new { message = $"No webhook format '{format}'; the formats are {string.Join(", ", formats.Names)}." });
        }
        var options = webhookOptions.Value;
        var logger = loggers.CreateLogger("ImageScanning.Gateway.Webhooks");
        var configured = registries.Find(registry);
        var authentication = webhook.Authentication;
        if (!authentication.NeedsBody && Refused(authentication.Refusal(configured, request, tokens, null), metrics) is { } early) return early;

        var body = await ReadBodyAsync(request, options.MaxBodyBytes, cancellationToken);
        if (authentication.NeedsBody && Refused(authentication.Refusal(configured, request, tokens, body), metrics) is { } refused) return refused;
        if (body is null)
            return Rejected(registry, new NotificationOverLimitException("body_too_large",
                $"The notification's body is larger than {options.MaxBodyBytes} bytes ({WebhookOptions.Section}:MaxBodyBytes): none of its events were accepted."),
                metrics, logger);

        ParsedNotification parsed;
        try
        {
            var read = webhook.Parse(new WebhookDelivery(registry, body, request.Headers, DateTimeOffset.UtcNow, options.MaxEventsPerNotification));
            parsed = await resolver.ResolveAsync(registry, read, cancellationToken);
        }
        catch (NotificationOverLimitException e)
        {
            return Rejected(registry, e, metrics, logger);
        }
        catch (WebhookFormatException e)
        {
            // Acknowledged like every notification the Gateway will not act on: a 400 would be sent again for ever, holding the
            // registry's queue (and every later push) behind it.
            return Rejected(registry, new NotificationOverLimitException("malformed", $"The notification is malformed: {e.Message}"), metrics, logger);
        }
        catch (RegistryUnavailableException e)
        {
            return Unavailable(request, metrics, logger, registry, "registry_unavailable",
                $"The Gateway could not look the image up in the registry ({e.Message}); nothing was accepted. Send it again.");
        }

        // Acknowledged only once its events are stored: a registry told 503 (or never answered) sends the notification again.
        IReadOnlySet<string> repeated;
        try
        {
            repeated = await events.StoreAsync(registry, parsed);
        }
        catch (Exception e)
        {
            return Unavailable(request, metrics, logger, registry, "store_unavailable",
                $"The Gateway could not store the notification's events ({e.Message}); nothing was accepted. Send it again.");
        }

        var accepted = parsed.Pushes.Count + parsed.Pulls.Count;
        metrics.WebhookAccepted(accepted, parsed.Outcomes.Count - accepted);
        var outcomes = parsed.Outcomes.Select(o => o.EventId is { } id && o.Outcome == WebhookEventOutcome.Accepted && repeated.Contains(id)
            ? o with { Reason = "a repeated delivery: this event was already accepted" }
            : o);
        return Results.Accepted(value: new { accepted, events = outcomes });
    }

    private static IResult? Refused(WebhookRefusal? refusal, GatewayMetrics metrics)
    {
        if (refusal is null) return null;
        metrics.WebhookRejected(refusal.StatusCode == StatusCodes.Status403Forbidden ? "forbidden" : "unauthorized");
        return refusal.Result;
    }

    /// <summary>Refused for now with 503 and Retry-After: nothing was stored, and a registry that retries sends it again.</summary>
    private static IResult Unavailable(HttpRequest request, GatewayMetrics metrics, ILogger logger, string registry, string reason, string message)
    {
        metrics.WebhookRejected(reason);
        logger.LogWarning("Refused a notification from registry {Registry}: {Reason}", registry, message);
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new { message }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// A notification the Gateway will not act on, answered 200 all the same: distribution retries any other answer for ever, and
    /// its queue for this endpoint holds every later notification (every later push goes unscanned) until it gets through.
    /// </summary>
    private static IResult Rejected(string registry, NotificationOverLimitException rejection, GatewayMetrics metrics, ILogger logger)
    {
        metrics.WebhookRejected(rejection.MetricReason);
        logger.LogWarning("Rejected a notification from registry {Registry}, acknowledged so that the registry moves on: {Reason}",
            registry, rejection.Message);
        return Results.Ok(new
        {
            accepted = 0, outcome = "rejected", code = rejection.MetricReason, reason = rejection.Message, events = Array.Empty<WebhookEventOutcome>(),
        });
    }

    /// <summary>
    /// The body as text, or null when it is longer than <paramref name="maxBytes"/> (announced, or counted on the bytes read: a
    /// chunked body announces nothing). This endpoint answers that with 200, so the registry does not send it again.
    /// </summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedRequestBody.For(request, maxBytes, $"{WebhookOptions.Section}:MaxBodyBytes").ReadTextAsync(cancellationToken);
        }
        catch (RequestBodyTooLargeException)
        {
            return null;
        }
    }
}
