using System.Collections.Concurrent;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>
/// One writer at a time for an embedded database, and foreground writers (push scans, API requests) before background ones
/// (the re-scan lane). Without it SQLite's busy handler decides: a waiting writer sleeps and retries, and a push scan's write
/// could lose that race to a stream of re-scan writes for hundreds of milliseconds. Waiters sleep asynchronously, holding no
/// thread; within a priority they are served in arrival order.
/// </summary>
public sealed class PriorityWriteGate
{
    private readonly object _sync = new();
    private readonly Queue<TaskCompletionSource> _foreground = new();
    private readonly Queue<TaskCompletionSource> _background = new();
    private bool _held;

    private static readonly ConcurrentDictionary<string, PriorityWriteGate> ByFile = new(StringComparer.Ordinal);

    /// <summary>The one gate of a database file in this process, whichever store opens it.</summary>
    public static PriorityWriteGate ForFile(string path) => ByFile.GetOrAdd(Path.GetFullPath(path), _ => new PriorityWriteGate());

    /// <summary>Waits for the gate; dispose the result to pass it on.</summary>
    public async ValueTask<Lease> EnterAsync(bool background, CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            TaskCompletionSource waiter;
            lock (_sync)
            {
                if (!_held)
                {
                    _held = true;
                    return new Lease(this);
                }
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (background ? _background : _foreground).Enqueue(waiter);
            }
            // A cancelled waiter stays queued; Release skips it, because its TrySetResult fails.
            using (ct.Register(() => waiter.TrySetCanceled(ct)))
                await waiter.Task;
            // A foreground writer is handed the gate. A background one is only woken to try again: its continuation may wait for a
            // busy lane thread, and a gate held by a writer that is not running would hold up the push scans behind it.
            if (!background) return new Lease(this);
        }
    }

    /// <summary>Waiting writers, for tests and diagnostics: (foreground, background), cancelled ones included until skipped.</summary>
    public (int Foreground, int Background) Waiting
    {
        get { lock (_sync) return (_foreground.Count, _background.Count); }
    }

    private void Release()
    {
        lock (_sync)
        {
            while (_foreground.TryDequeue(out var next))
                if (next.TrySetResult()) return; // handed straight over: _held stays true
            _held = false;
            while (_background.TryDequeue(out var next))
                if (next.TrySetResult()) return; // woken to try again; whoever comes first takes the gate
        }
    }

    public readonly struct Lease(PriorityWriteGate gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
