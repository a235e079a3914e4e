using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Security;
using RabbitMQ.Client.Exceptions;

namespace ImageScanning.Gateway.Admin;

/// <summary>Body of a replay: one error queue (all platform error queues when absent) and the most messages to move.</summary>
public sealed record DeadLetterReplayRequest(string? Queue, int? Max);

/// <summary>
/// /api/v1/admin, the admin scope only. On RabbitMQ: the messages waiting in each platform <c>_error</c> queue, and a replay that
/// moves them back to their queues. On the in-memory bus (which keeps no error queues, and forgets on restart): a replay sends
/// again every outbox message dispatched in the last Outbox:KeepDispatchedFor. Consumers skip what they already handled.
/// </summary>
public static class DeadLetterApi
{
    public const int DefaultMax = 1000;
    public const int MaxMax = 100_000;

    public static IEndpointRouteBuilder MapDeadLetterApi(this IEndpointRouteBuilder app)
    {
        // Its own group: under /api/v1's group it would get the read or write scope by method as well.
        var admin = app.MapGroup("/api/v1/admin").RequireScope(TokenScopes.Admin).WithTags("Admin");
        admin.MapGet("/dead-letters", List);
        admin.MapPost("/dead-letters/replay", Replay);
        return app;
    }

    private static async Task<IResult> List(MessagingOptions messaging, RabbitMqDeadLetters deadLetters, OutboxOptions outbox, CancellationToken ct)
    {
        if (!messaging.IsRabbitMq)
            return Results.Ok(new
            {
                transport = messaging.Transport,
                queues = Array.Empty<DeadLetterQueue>(),
                message = $"The in-memory bus keeps no dead-letter queues. A replay sends again the outbox messages dispatched in the last {outbox.KeepDispatchedFor}.",
            });
        try
        {
            return Results.Ok(new { transport = "RabbitMQ", queues = await deadLetters.CountAsync(ct) });
        }
        catch (BrokerUnreachableException e)
        {
            return BrokerUnreachable(e);
        }
    }

    private static async Task<IResult> Replay(
        DeadLetterReplayRequest? request, MessagingOptions messaging, RabbitMqDeadLetters deadLetters, IServiceProvider services,
        OutboxOptions outbox, TimeProvider clock, CancellationToken ct)
    {
        var max = request?.Max ?? DefaultMax;
        if (max is < 1 or > MaxMax) return Results.BadRequest(new { message = $"max must be between 1 and {MaxMax}." });
        if (request?.Queue is { } named && !PlatformQueues.IsErrorQueue(named))
            return Results.BadRequest(new { message = $"'{named}' is not a platform error queue: one of {string.Join(", ", PlatformQueues.ErrorQueues)}." });

        if (!messaging.IsRabbitMq)
        {
            var since = clock.GetUtcNow() - outbox.KeepDispatchedFor;
            var replayed = await services.GetRequiredService<OutboxDispatcher>().ReplayAsync(since, ct);
            return Results.Ok(new { transport = messaging.Transport, replayed, since });
        }
        try
        {
            var queues = await deadLetters.ReplayAsync(request?.Queue is { } queue ? [queue] : PlatformQueues.ErrorQueues, max, ct);
            return Results.Ok(new { transport = "RabbitMQ", replayed = queues.Sum(q => q.Replayed), queues });
        }
        catch (BrokerUnreachableException e)
        {
            return BrokerUnreachable(e);
        }
    }

    private static IResult BrokerUnreachable(Exception e) =>
        Results.Json(new { message = $"RabbitMQ is unreachable: {e.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
}
