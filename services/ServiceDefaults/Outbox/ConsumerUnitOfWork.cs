using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>How a consumer changes state and publishes: exactly once in effect, at least once on the bus.</summary>
public static class ConsumerUnitOfWork
{
    /// <summary>
    /// Starts a unit of work for the message <paramref name="context"/> holds and marks it handled by <typeparamref name="TConsumer"/>
    /// in the same transaction (the inbox; the key is the message id unless an idempotency key is given). When
    /// <see cref="UnitOfWork.AlreadyHandled"/> is true the effect and its messages are already stored: return without doing anything.
    /// Otherwise do the work through stores joined with <c>store.In(work)</c>, queue messages with <c>work.Publish</c> /
    /// <c>work.Send</c>, and <see cref="CommitAsync"/>.
    /// </summary>
    public static async Task<UnitOfWork> BeginAsync<TConsumer>(this IServiceDatabase database, ConsumeContext context, Guid? idempotencyKey = null)
    {
        var key = idempotencyKey ?? context.MessageId ?? throw new InvalidOperationException("The message has no MessageId to de-duplicate on.");
        var work = await database.BeginAsync(context.CancellationToken);
        try
        {
            await work.TryMarkHandledAsync(ConsumerName<TConsumer>(), key, context.CancellationToken);
            return work;
        }
        catch
        {
            await work.DisposeAsync();
            throw;
        }
    }

    /// <summary>Commits a consumer's unit of work (and, when a fault-injection test asks for it, fails right after, once).</summary>
    public static async Task CommitAsync<TConsumer>(this UnitOfWork work, ConsumeContext context)
    {
        await work.CommitAsync(context.CancellationToken);
        FaultInjection.AfterCommit(ConsumerName<TConsumer>(), context.MessageId);
    }

    public static string ConsumerName<TConsumer>() => typeof(TConsumer).Name;
}

/// <summary>
/// Test hooks for the fault-injection suite, off unless configured (Testing:ThrowAfterCommit = consumer names): a consumer that
/// throws once per message right after its unit of work committed, as a process that dies between commit and acknowledgement.
/// </summary>
public static class FaultInjection
{
    private static volatile HashSet<string> _throwAfterCommit = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, Guid), bool> Thrown = new();

    public static void ThrowAfterCommit(IEnumerable<string> consumers) => _throwAfterCommit = new(consumers, StringComparer.Ordinal);

    internal static void AfterCommit(string consumer, Guid? messageId)
    {
        if (messageId is not { } id || !_throwAfterCommit.Contains(consumer) || !Thrown.TryAdd((consumer, id), true)) return;
        throw new InjectedFaultException($"Injected fault: {consumer} failed after committing message {id}.");
    }
}

public sealed class InjectedFaultException(string message) : Exception(message);
