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
        // Authenticated by the registry's own webhook token (registries send a static header) or a token with the webhook scope,
        // judged here rather than by the API token scheme (see WebhookAuthorization).
        app.MapPost("/webhooks/distribution/{registry}", ReceiveDistributionNotification).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> ReceiveDistributionNotification(
        string registry, HttpRequest request, ConfiguredRegistries registries, ConfiguredTokens tokens, WebhookEventStore events,
        IOptions<WebhookOptions> webhookOptions, GatewayMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var options = webhookOptions.Value;
        var logger = loggers.CreateLogger("ImageScanning.Gateway.Webhooks");
        if (WebhookAuthorization.Refusal(registry, request, registries, tokens) is { } refusal)
        {
            metrics.WebhookRejected(refusal.StatusCode == StatusCodes.Status403Forbidden ? "forbidden" : "unauthorized");
            return refusal.Result;
        }

        var body = await ReadBodyAsync(request, options.MaxBodyBytes, cancellationToken);
        if (body is null)
            return Rejected(registry, new NotificationOverLimitException("body_too_large",
                $"The notification's body is larger than {options.MaxBodyBytes} bytes ({WebhookOptions.Section}:MaxBodyBytes): none of its events were accepted."),
                metrics, logger);

        ParsedNotification parsed;
        try
        {
            parsed = DistributionNotification.ParseEvents(registry, body, DateTimeOffset.UtcNow, options.MaxEventsPerNotification);
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

        // Acknowledged only once its events are stored: a registry told 503 (or never answered) sends the notification again.
        IReadOnlySet<string> repeated;
        try
        {
            repeated = await events.StoreAsync(registry, parsed);
        }
        catch (Exception e)
        {
            metrics.WebhookRejected("store_unavailable");
            logger.LogWarning("Refused a notification from registry {Registry}: its events could not be stored: {Reason}", registry, e.Message);
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(
                new { message = $"The Gateway could not store the notification's events ({e.Message}); nothing was accepted. Send it again." },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var accepted = parsed.Pushes.Count + parsed.Pulls.Count;
        metrics.WebhookAccepted(accepted, parsed.Outcomes.Count - accepted);
        var outcomes = parsed.Outcomes.Select(o => o.EventId is { } id && o.Outcome == "accepted" && repeated.Contains(id)
            ? o with { Reason = "a repeated delivery: this event was already accepted" }
            : o);
        return Results.Accepted(value: new { accepted, events = outcomes });
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
