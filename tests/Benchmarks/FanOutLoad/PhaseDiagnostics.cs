using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>
/// Large-object-heap allocations by type, from the runtime's allocation ticks (one per ~100 KB allocated): what turned a fan-out
/// into several gen-2 collections a second. Summarised (and cleared) per phase.
/// </summary>
public sealed class LohListener : EventListener
{
    private const int LargeObjectHeap = 1;
    private readonly ConcurrentDictionary<string, long> _ticks = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Keyword 0x1 = GC; the allocation tick is a verbose event.
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null || e.PayloadNames is null) return;
        if (Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("AllocationKind")], System.Globalization.CultureInfo.InvariantCulture) != LargeObjectHeap) return;
        _ticks.AddOrUpdate(e.Payload[e.PayloadNames.IndexOf("TypeName")] as string ?? "?", 1, (_, n) => n + 1);
    }

    public string TakeSummary()
    {
        var taken = _ticks.ToArray();
        _ticks.Clear();
        return taken.Length == 0 ? "LOH: nothing"
            : "LOH: about " + string.Join(", ", taken.OrderByDescending(p => p.Value).Take(4).Select(p => $"{p.Value / 10.0:F1} MB {p.Key}"));
    }
}

/// <summary>The thread pool, the garbage collector and the large object heap during one phase of the load.</summary>
public sealed class PhaseDiagnostics : IAsyncDisposable
{
    private readonly ThreadPoolSampler _pool = new();
    private readonly LohListener _loh = new();

    /// <summary>Since the last call; call once before a phase starts to clear what came before it.</summary>
    public string TakeSummary() => $"{_pool.TakeSummary()}; {_loh.TakeSummary()}";

    public async ValueTask DisposeAsync()
    {
        _loh.Dispose();
        await _pool.DisposeAsync();
    }
}

/// <summary>
/// Samples the thread pool every 100 ms (a queue of work items that keeps growing means threads are blocked or busy), and the
/// garbage collector's pauses per phase (they stop push scans as much as the bulk work that caused them).
/// </summary>
public sealed class ThreadPoolSampler : IAsyncDisposable
{
    private readonly List<(long Pending, int Threads)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private (TimeSpan Paused, int Gen0, int Gen1, int Gen2, long Started) _gc = GcNow();

    private static (TimeSpan Paused, int Gen0, int Gen1, int Gen2, long Started) GcNow() =>
        (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), System.Diagnostics.Stopwatch.GetTimestamp());

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
        var (gc, now) = (_gc, GcNow());
        _gc = now;
        var paused = now.Paused - gc.Paused;
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(gc.Started, now.Started);
        var collections = $"GC: {paused.TotalMilliseconds:F0} ms paused in {elapsed.TotalSeconds:F0} s ({100 * paused / elapsed:F1} %), " +
            $"collections gen0 {now.Gen0 - gc.Gen0}, gen1 {now.Gen1 - gc.Gen1}, gen2 {now.Gen2 - gc.Gen2}";
        if (taken.Count == 0) return "thread pool: no samples; " + collections;
        var pending = taken.Select(s => (double)s.Pending).ToList();
        return $"thread pool: pending work items p50 {PushStream.Percentile(pending, 50):F0}, p99 {PushStream.Percentile(pending, 99):F0}, " +
            $"max {pending.Max():F0}; threads max {taken.Max(s => s.Threads)}; " + collections;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
