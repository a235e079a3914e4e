using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Security;
using MassTransit;

namespace ImageScanning.Gateway.Webhooks;

public static class WebhookEndpoints
{
    /// <summary>Upper bound on a notification body; the registry sends one small event per POST.</summary>
    private const int MaxBodyBytes = 1 << 20;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // Authenticated by the registry's own webhook token, not by API tokens: registries send a static header.
        app.MapPost("/webhooks/distribution/{registry}", ReceiveDistributionNotification).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> ReceiveDistributionNotification(
        string registry, HttpRequest request, ConfiguredRegistries registries, IPublishEndpoint publish,
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

        foreach (var push in parsed.Pushes)
            await publish.Publish(push, cancellationToken);
        foreach (var pull in parsed.Pulls)
            await publish.Publish(pull, cancellationToken);
        var accepted = parsed.Pushes.Count + parsed.Pulls.Count;
        metrics.WebhookAccepted(accepted, parsed.Outcomes.Count - accepted);
        return Results.Accepted(value: new { accepted, events = parsed.Outcomes });
    }
}
