using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageScanning.ServiceDefaults.Background;

/// <summary>
/// Where bulk work runs (re-scans, advisory fan-outs, feed imports): a task scheduler with its own threads at the lowest CPU
/// priority (nice 19 on Linux), so it gets all the CPU nothing else wants and almost none that a push scan wants. Work started
/// here keeps running here across its awaits (they resume on <see cref="TaskScheduler.Current"/>), and never occupies the
/// thread pool that push scans, HTTP requests and the bus share. A separate queue was not enough: on a busy machine a push
/// scan's every continuation waited in the thread pool behind the re-matches' work items.
/// </summary>
public sealed class BackgroundLane : TaskScheduler, IDisposable
{
    /// <summary>The Linux nice value of the lane's threads: the lowest priority an unprivileged process may set.</summary>
    public const int Niceness = 19;

    private readonly BlockingCollection<Task> _queue = new();
    private readonly Thread[] _threads;
    private readonly ILogger _logger;
    private int _priorityWarned;

    [ThreadStatic] private static BackgroundLane? _current;

    public BackgroundLane(int threads, ILogger<BackgroundLane>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _logger = logger ?? NullLogger<BackgroundLane>.Instance;
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"background-lane-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>True on one of this lane's threads.</summary>
    public bool IsLaneThread => _current == this;

    /// <summary>True on any background lane's thread: work that yields to foreground work (see PriorityWriteGate).</summary>
    public static bool IsBackgroundThread => _current is not null;

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Runs <paramref name="work"/> on the lane (at once when already there); its continuations stay there.</summary>
    public Task RunAsync(Func<Task> work, CancellationToken ct = default) =>
        IsLaneThread ? work() : Task.Factory.StartNew(work, ct, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <inheritdoc cref="RunAsync(Func{Task}, CancellationToken)"/>
    public Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken ct = default) =>
        IsLaneThread ? work() : Task.Factory.StartNew(work, ct, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    protected override void QueueTask(Task task) => _queue.Add(task);

    // Inline only on a lane thread, so lane work never borrows a thread-pool thread.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        IsLaneThread && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Work()
    {
        _current = this;
        LowerPriority();
        try
        {
            foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting: the process is stopping.
        }
    }

    private void LowerPriority()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // setpriority(PRIO_PROCESS, tid) sets one thread's nice value on Linux; .NET's Thread.Priority does nothing there.
                if (SetPriority(0, (uint)GetThreadId(), Niceness) != 0)
                    Warn($"setpriority failed with errno {Marshal.GetLastPInvokeError()}");
            }
            else
            {
                Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            Warn(e.Message);
        }
    }

    private void Warn(string why)
    {
        if (Interlocked.Exchange(ref _priorityWarned, 1) == 0)
            _logger.LogWarning("Background lane threads run at normal priority ({Why}): bulk work competes with push scans for CPU", why);
    }

    /// <summary>The calling thread's nice value (Linux), for tests and diagnostics; null elsewhere.</summary>
    public static int? CurrentThreadNiceness()
    {
        if (!OperatingSystem.IsLinux()) return null;
        Marshal.SetLastPInvokeError(0);
        var nice = GetPriority(0, (uint)GetThreadId());
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads) thread.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, uint who, int priority);

    [DllImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static extern int GetPriority(int which, uint who);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
