using System.Collections.Concurrent;
using MassTransit;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// How many messages of each type the bus's consumers finished without a fault: the positive marker that a published event has been
/// handled (and what its consumer stores, committed), so a test can check what did not happen without sleeping first.
/// </summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    private readonly ConcurrentDictionary<Type, int> _counts = new();

    public int Of<T>() => _counts.TryGetValue(typeof(T), out var count) ? count : 0;

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _counts.AddOrUpdate(typeof(T), 1, (_, count) => count + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
