using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;

namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>
/// A message a unit of work will publish (<see cref="Destination"/> null) or send to a queue once it commits, stored in the same
/// transaction as the effect that caused it. <see cref="MessageId"/> is the bus message id it goes out with, every time: a message
/// dispatched twice (a crash between publish and marking it) carries the same id, and consumers' inboxes skip the copy.
/// </summary>
public sealed record OutboxMessage(
    Guid MessageId, string MessageType, string Body, string? Destination, string? TraceParent, DateTimeOffset CreatedAt)
{
    /// <summary>Contracts only: a stored type name can never make the dispatcher load an arbitrary type.</summary>
    private static readonly System.Reflection.Assembly ContractsAssembly = typeof(Contracts.ImagePushed).Assembly;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static OutboxMessage For<T>(T message, string? destination, DateTimeOffset now, Guid? messageId = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = message.GetType();
        if (type.Assembly != ContractsAssembly)
            throw new ArgumentException($"Only contract messages go through the outbox, not {type.FullName}.", nameof(message));
        return new OutboxMessage(messageId ?? NewId.NextGuid(), type.FullName!, JsonSerializer.Serialize(message, type, Json), destination,
            Activity.Current?.Id, now);
    }

    /// <summary>The message object and its type, as they were stored.</summary>
    /// <exception cref="InvalidOperationException">A type that is not a contract (a row written by another version).</exception>
    public (object Message, Type Type) Deserialize()
    {
        var type = ContractsAssembly.GetType(MessageType, throwOnError: false)
            ?? throw new InvalidOperationException($"Outbox message {MessageId} names the unknown contract type '{MessageType}'.");
        var message = JsonSerializer.Deserialize(Body, type, Json)
            ?? throw new InvalidOperationException($"Outbox message {MessageId} has an empty body.");
        return (message, type);
    }
}

/// <summary>What a unit of work queues: in order, to go out after its commit.</summary>
public sealed class OutboxBatch(TimeProvider clock)
{
    private readonly List<OutboxMessage> _messages = [];

    public IReadOnlyList<OutboxMessage> Messages => _messages;

    /// <summary>Publishes <paramref name="message"/> to every subscriber once the unit of work commits.</summary>
    public void Publish<T>(T message, Guid? messageId = null) where T : class =>
        _messages.Add(OutboxMessage.For(message, null, clock.GetUtcNow(), messageId));

    /// <summary>Sends <paramref name="message"/> to the queue named <paramref name="queue"/> once the unit of work commits.</summary>
    public void Send<T>(string queue, T message, Guid? messageId = null) where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        _messages.Add(OutboxMessage.For(message, queue, clock.GetUtcNow(), messageId));
    }
}
