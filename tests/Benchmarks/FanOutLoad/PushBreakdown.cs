using System.Collections.Concurrent;
using System.Diagnostics;
using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>
/// Where a push scan's time before ImageScanned goes: waiting for the router, in the router, waiting for the scanner, in the
/// scanner. A consume observer stamps when the router and the scanner start and finish each push's message, by digest.
/// </summary>
public sealed class PushBreakdown : IConsumeObserver
{
    private sealed class Stamps
    {
        public long RouterStart, RouterEnd, ScannerStart, ScannerEnd;
    }

    private readonly ConcurrentDictionary<string, Stamps> _byDigest = new();

    private Stamps For(string digest) => _byDigest.GetOrAdd(digest, _ => new Stamps());

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        var now = Stopwatch.GetTimestamp();
        switch (context.Message)
        {
            case ImagePushed pushed when IsRouter(context): Interlocked.CompareExchange(ref For(pushed.Digest).RouterStart, now, 0); break;
            case ScanImage { Trigger: ScanTrigger.PUSH } scan: Interlocked.CompareExchange(ref For(scan.Image.Digest).ScannerStart, now, 0); break;
        }
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        var now = Stopwatch.GetTimestamp();
        switch (context.Message)
        {
            case ImagePushed pushed when IsRouter(context): For(pushed.Digest).RouterEnd = now; break;
            case ScanImage { Trigger: ScanTrigger.PUSH } scan: For(scan.Image.Digest).ScannerEnd = now; break;
        }
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private static bool IsRouter<T>(ConsumeContext<T> context) where T : class =>
        context.ReceiveContext.InputAddress?.AbsolutePath.EndsWith("/" + ImageScanning.ScanRouter.Extensions.ScanRouterExtensions.EndpointName, StringComparison.Ordinal) == true;

    /// <summary>The four parts of a push's time until ImageScanned (ms), from its publish timestamp; null while any is missing.</summary>
    public PushParts? PartsOf(string digest, long published, long scanned) =>
        _byDigest.TryGetValue(digest, out var s) && s is { RouterStart: > 0, RouterEnd: > 0, ScannerStart: > 0, ScannerEnd: > 0 }
            ? new PushParts(Ms(published, s.RouterStart), Ms(s.RouterStart, s.RouterEnd), Ms(s.RouterEnd, s.ScannerStart),
                Ms(s.ScannerStart, s.ScannerEnd), Ms(s.ScannerEnd, scanned))
            : null;

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}

/// <summary>A push's time until ImageScanned, split: router queue, router, scanner queue, scanner, ImageScanned delivery.</summary>
public sealed record PushParts(double RouterWaitMs, double RouterMs, double ScannerWaitMs, double ScannerMs, double DeliveryMs);

/// <summary>Samples the thread pool every 100 ms: a queue of work items that keeps growing means threads are blocked, not CPU busy.</summary>
public sealed class ThreadPoolSampler : IAsyncDisposable
{
    private readonly List<(long Pending, int Threads)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ThreadPoolSampler() => _loop = Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                lock (_samples) _samples.Add((ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount));
        }
        catch (OperationCanceledException) { }
    });

    /// <summary>Since the last call: p50/max of pending work items and the max thread count.</summary>
    public string TakeSummary()
    {
        List<(long Pending, int Threads)> taken;
        lock (_samples) { taken = [.. _samples]; _samples.Clear(); }
        if (taken.Count == 0) return "thread pool: no samples";
        var pending = taken.Select(s => (double)s.Pending).ToList();
        return $"thread pool: pending work items p50 {PushStream.Percentile(pending, 50):F0}, p99 {PushStream.Percentile(pending, 99):F0}, " +
            $"max {pending.Max():F0}; threads max {taken.Max(s => s.Threads)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
