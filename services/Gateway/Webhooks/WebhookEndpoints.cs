using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Webhooks;

public static class WebhookEndpoints
{
    /// <summary>Upper bound on a notification body; the registry sends one small event per POST.</summary>
    private const int MaxBodyBytes = 1 << 20;

    /// <summary>What a registry is told to wait before sending a refused notification again.</summary>
    private const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // Authenticated by the registry's own webhook token, not by API tokens: registries send a static header.
        app.MapPost("/webhooks/distribution/{registry}", ReceiveDistributionNotification).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> ReceiveDistributionNotification(
        string registry, HttpRequest request, ConfiguredRegistries registries, WebhookEventStore events,
        GatewayMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("ImageScanning.Gateway.Webhooks");
        var configured = registries.Find(registry);
        string? authorization = request.Headers.Authorization;
        if (configured is null || configured.WebhookToken.Length == 0 || authorization is null ||
            !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ||
            !ApiAuthentication.Matches(authorization["Bearer ".Length..].Trim(), [configured.WebhookToken]))
        {
            metrics.WebhookRejected("unauthorized");
            // Same answer for unknown registries and bad tokens: nothing to enumerate.
            return Results.Json(new { message = "Missing or invalid webhook token." }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (request.ContentLength > MaxBodyBytes)
            return Results.Json(new { message = $"Notification bodies are limited to {MaxBodyBytes} bytes." }, statusCode: StatusCodes.Status413PayloadTooLarge);
        string body;
        using (var reader = new StreamReader(request.Body))
            body = await reader.ReadToEndAsync(cancellationToken);

        ParsedNotification parsed;
        try
        {
            parsed = DistributionNotification.ParseEvents(registry, body, DateTimeOffset.UtcNow);
        }
        catch (WebhookFormatException e)
        {
            metrics.WebhookRejected("malformed");
            logger.LogWarning("Rejected a malformed notification from registry {Registry}: {Reason}", registry, e.Message);
            return Results.BadRequest(new { message = e.Message });
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
}
