using System.Collections.Concurrent;
using System.Reflection;

namespace ImageScanning.MongoOffline.Tests.Recording;

/// <summary>
/// A store behind its interface, noting which methods a test called, so a fixture can check that it drove every one: a method
/// added later without a check here fails the fixture instead of going unverified.
/// </summary>
public class CallTracker<TStore> : DispatchProxy where TStore : class
{
    private TStore _inner = null!;
    private ConcurrentDictionary<string, bool> _called = null!;

    public static TStore Wrap(TStore inner, ConcurrentDictionary<string, bool> called)
    {
        var proxy = DispatchProxy.Create<TStore, CallTracker<TStore>>();
        var tracker = (CallTracker<TStore>)(object)proxy;
        tracker._inner = inner;
        tracker._called = called;
        return proxy;
    }

    /// <summary>The interface's methods no test called (In(work) aside: every fixture exercises it through a unit of work).</summary>
    public static IReadOnlyList<string> Uncalled(ConcurrentDictionary<string, bool> called) =>
        typeof(TStore).GetMethods().Concat(typeof(TStore).GetInterfaces().SelectMany(i => i.GetMethods()))
            .Select(m => m.Name).Where(n => n != "In" && !called.ContainsKey(n)).Distinct().Order(StringComparer.Ordinal).ToList();

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        _called[method.Name] = true;
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
