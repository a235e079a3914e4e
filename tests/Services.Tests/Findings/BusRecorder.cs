using System.Collections.Concurrent;
using MassTransit;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>
/// Every copy the bus carried, by message type and message id: publishes, consumes and failed consume attempts that were retried.
/// The harness's own lists keep one entry per message id, so a copy sent twice under the same id, or a retried attempt, would
/// not show in them; this counts each one.
/// </summary>
public sealed class BusRecorder : IPublishObserver, IConsumeObserver, IRetryObserver
{
    private readonly ConcurrentQueue<(Type Type, Guid MessageId, object Message)> _published = new();
    private readonly ConcurrentQueue<(Type Type, Guid MessageId)> _consumed = new();
    private readonly ConcurrentQueue<(Type Type, Guid MessageId, Exception Exception)> _retried = new();

    /// <summary>Each published copy of a T, in order, with the id it went out with.</summary>
    public IReadOnlyList<(Guid MessageId, T Message)> Published<T>() where T : class =>
        _published.Where(p => p.Type == typeof(T)).Select(p => (p.MessageId, (T)p.Message)).ToList();

    /// <summary>How many copies of each message id of type T were published.</summary>
    public Dictionary<Guid, int> Copies<T>() where T : class =>
        Published<T>().GroupBy(p => p.MessageId).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>How many deliveries of the message id of type T were consumed to the end (after any retries).</summary>
    public int Consumed<T>(Guid messageId) where T : class => _consumed.Count(c => c.Type == typeof(T) && c.MessageId == messageId);

    /// <summary>The failures of consume attempts of type T that were retried, in order.</summary>
    public IReadOnlyList<(Guid MessageId, Exception Exception)> Retried<T>() where T : class =>
        _retried.Where(r => r.Type == typeof(T)).Select(r => (r.MessageId, r.Exception)).ToList();

    Task IPublishObserver.PrePublish<T>(PublishContext<T> context) => Task.CompletedTask;

    Task IPublishObserver.PostPublish<T>(PublishContext<T> context)
    {
        _published.Enqueue((typeof(T), context.MessageId ?? Guid.Empty, context.Message));
        return Task.CompletedTask;
    }

    Task IPublishObserver.PublishFault<T>(PublishContext<T> context, Exception exception) => Task.CompletedTask;

    Task IConsumeObserver.PreConsume<T>(ConsumeContext<T> context) => Task.CompletedTask;

    Task IConsumeObserver.PostConsume<T>(ConsumeContext<T> context)
    {
        _consumed.Enqueue((typeof(T), context.MessageId ?? Guid.Empty));
        return Task.CompletedTask;
    }

    Task IConsumeObserver.ConsumeFault<T>(ConsumeContext<T> context, Exception exception) => Task.CompletedTask;

    Task IRetryObserver.PostCreate<T>(RetryPolicyContext<T> context) => Task.CompletedTask;

    Task IRetryObserver.PostFault<T>(RetryContext<T> context)
    {
        if (context.Context is ConsumeContext consume)
            _retried.Enqueue((MessageType(typeof(T)), consume.MessageId ?? Guid.Empty, context.Exception));
        return Task.CompletedTask;
    }

    Task IRetryObserver.PreRetry<T>(RetryContext<T> context) => Task.CompletedTask;

    Task IRetryObserver.RetryFault<T>(RetryContext<T> context) => Task.CompletedTask;

    Task IRetryObserver.RetryComplete<T>(RetryContext<T> context) => Task.CompletedTask;

    /// <summary>The message type of a ConsumeContext&lt;TMessage&gt; retry.</summary>
    private static Type MessageType(Type context) =>
        context.IsGenericType && context.GetGenericTypeDefinition() == typeof(ConsumeContext<>) ? context.GetGenericArguments()[0] : context;
}
