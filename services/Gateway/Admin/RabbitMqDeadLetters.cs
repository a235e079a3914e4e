using ImageScanning.ServiceDefaults.Extensions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageScanning.Gateway.Admin;

/// <summary>An error queue and the messages waiting in it (Exists false: never declared, nothing ever faulted there).</summary>
public sealed record DeadLetterQueue(string Queue, long Messages, bool Exists);

/// <summary>What a replay did to one error queue: messages moved back, messages left, and why it stopped early.</summary>
public sealed record DeadLetterReplay(string Queue, int Replayed, long Remaining, string? Error);

/// <summary>
/// The platform's <c>_error</c> queues on RabbitMQ, through the broker settings of Messaging:* (host, virtual host, cluster nodes).
/// A replay moves each message back to its queue: it is taken unacknowledged (basic.get), published to the exchange named like
/// the queue with the same body and properties less the headers that describe its fault, and acknowledged only after the broker
/// confirmed that publish. A message that cannot be published goes back to the error queue, and that queue's replay stops.
/// Consumers' inboxes skip a replayed message whose effect is stored.
/// </summary>
public sealed class RabbitMqDeadLetters(MessagingOptions messaging, ILogger<RabbitMqDeadLetters> logger)
{
    /// <summary>
    /// Removed on replay: MassTransit's description of the fault, and the delivery and redelivery counts, so the message gets the
    /// whole retry schedule and delivery limit again.
    /// </summary>
    public static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Redelivery-Count", StringComparison.OrdinalIgnoreCase)
        || name.Equals("x-delivery-count", StringComparison.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<DeadLetterQueue>> CountAsync(CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var queues = new List<DeadLetterQueue>();
        foreach (var queue in PlatformQueues.ErrorQueues) queues.Add(await CountAsync(connection, queue, ct));
        return queues;
    }

    /// <summary>Moves up to <paramref name="max"/> messages in all (each queue only what it held when its turn came).</summary>
    public async Task<IReadOnlyList<DeadLetterReplay>> ReplayAsync(IReadOnlyList<string> errorQueues, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await ConnectAsync(ct);
        var replays = new List<DeadLetterReplay>();
        var budget = max;
        foreach (var queue in errorQueues)
        {
            var replay = await ReplayQueueAsync(connection, queue, budget, ct);
            budget -= replay.Replayed;
            replays.Add(replay);
        }
        return replays;
    }

    private async Task<DeadLetterReplay> ReplayQueueAsync(IConnection connection, string errorQueue, int max, CancellationToken ct)
    {
        var waiting = await CountAsync(connection, errorQueue, ct);
        if (!waiting.Exists || waiting.Messages == 0 || max == 0) return new DeadLetterReplay(errorQueue, 0, waiting.Messages, null);
        var target = PlatformQueues.QueueOf(errorQueue);
        // A message that faults again while this runs lands behind the ones taken here: take only what was waiting.
        var take = (int)Math.Min(max, waiting.Messages);
        var replayed = 0;
        string? error = null;
        // Tracked publisher confirms: a publish returns once the broker confirmed it, and throws when it nacked or returned it.
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
                         publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct))
        {
            while (replayed < take)
            {
                var message = await channel.BasicGetAsync(errorQueue, autoAck: false, ct);
                if (message is null) break;
                try
                {
                    // Mandatory: a queue that is not bound to its exchange returns the message instead of dropping it.
                    await channel.BasicPublishAsync(target, routingKey: "", mandatory: true, WithoutFaultHeaders(message.BasicProperties),
                        message.Body.ToArray(), ct);
                }
                catch (Exception e) when (e is PublishException or OperationInterruptedException or AlreadyClosedException)
                {
                    error = $"Could not move a message back to '{target}' ({e.Message}); it stays in {errorQueue}.";
                    logger.LogWarning("Replay of {ErrorQueue} stopped: {Error}", errorQueue, error);
                    if (channel.IsOpen) await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, ct);
                    break; // a closed channel gives its unacknowledged message back to the queue by itself
                }
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
                replayed++;
            }
        }
        var remaining = (await CountAsync(connection, errorQueue, ct)).Messages;
        logger.LogInformation("Replayed {Count} messages from {ErrorQueue} to {Queue}; {Remaining} left", replayed, errorQueue, target, remaining);
        return new DeadLetterReplay(errorQueue, replayed, remaining, error);
    }

    private static BasicProperties WithoutFaultHeaders(IReadOnlyBasicProperties properties)
    {
        var copy = new BasicProperties(properties);
        if (properties.Headers is { } headers)
            copy.Headers = headers.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value);
        return copy;
    }

    private static async Task<DeadLetterQueue> CountAsync(IConnection connection, string queue, CancellationToken ct)
    {
        // A passive declare of a missing queue closes its channel: a channel per question.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue, ct);
            return new DeadLetterQueue(queue, declared.MessageCount, true);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return new DeadLetterQueue(queue, 0, false);
        }
    }

    private Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            VirtualHost = messaging.RabbitMqVirtualHost,
            UserName = messaging.RabbitMqUsername,
            Password = messaging.RabbitMqPassword,
            ClientProvidedName = "imagescanning-gateway-admin",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        };
        var nodes = messaging.RabbitMqNodes.Count > 0
            ? messaging.RabbitMqNodes.Select(node => AmqpTcpEndpoint.Parse(node)).ToList()
            : [new AmqpTcpEndpoint(messaging.RabbitMqHost, messaging.RabbitMqPort)];
        return factory.CreateConnectionAsync(nodes, ct);
    }
}
