using System.Diagnostics;
using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>
/// An open-loop stream of push scans: every interval the next registry image is announced with ImagePushed (as the Gateway does
/// for a registry webhook), whether or not earlier scans have finished. Latency is ImagePushed published → ScanCompleted observed.
/// </summary>
/// <summary>ImagePushed → ScanCompleted, and the part of it until ImageScanned (router queue + scanner); the rest is Findings'.</summary>
public sealed record PushLatency(double TotalMs, double UntilScannedMs, PushParts? Parts);

public sealed class PushStream(IBus bus, CompletionLog completions, PushBreakdown breakdown, IReadOnlyList<PushImage> images)
{
    private int _next;
    private readonly List<Task<PushLatency>> _inFlight = [];
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public int Remaining => images.Count - Volatile.Read(ref _next);

    public void Start(TimeSpan interval)
    {
        _inFlight.Clear();
        _stop = new CancellationTokenSource();
        _loop = LoopAsync(interval, _stop.Token);
    }

    /// <summary>Stops announcing pushes and returns the latencies (ms) of every push announced since Start, waiting for the last ones.</summary>
    public async Task<IReadOnlyList<PushLatency>> StopAsync(TimeSpan wait)
    {
        await _stop!.CancelAsync();
        await _loop!;
        var all = Task.WhenAll(_inFlight);
        if (await Task.WhenAny(all, Task.Delay(wait)) != all)
            throw new TimeoutException($"{_inFlight.Count(t => !t.IsCompleted)} of {_inFlight.Count} push scans did not complete within {wait}.");
        return all.Result;
    }

    /// <summary>One push, awaited: for warming up the JIT and the connections before anything is measured.</summary>
    public Task<PushLatency> PushOneAsync() => Push();

    private async Task LoopAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            if (Remaining <= 0)
            {
                Console.Error.WriteLine("// The push stream ran out of registry images; raise --push-images.");
                return;
            }
            _inFlight.Add(Push());
        }
        while (await WaitAsync(timer, stop));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try { return await timer.WaitForNextTickAsync(stop); }
        catch (OperationCanceledException) { return false; }
    }

    private async Task<PushLatency> Push()
    {
        var image = images[Interlocked.Increment(ref _next) - 1];
        var completed = completions.Expect(image.Digest, ScanTrigger.PUSH);
        var scanned = completions.ExpectPushScanned(image.Digest);
        var start = Stopwatch.GetTimestamp();
        await bus.Publish(new ImagePushed(Guid.NewGuid().ToString("N"), LoadPlatform.Registry, image.Repository, image.Digest, image.Tag,
            PushImages.ManifestMediaType, DateTimeOffset.UtcNow));
        var end = await completed;
        var scannedAt = await scanned;
        return new PushLatency(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, Stopwatch.GetElapsedTime(start, scannedAt).TotalMilliseconds,
            breakdown.PartsOf(image.Digest, start, scannedAt, end));
    }

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(IReadOnlyList<double> samples, double percent)
    {
        if (samples.Count == 0) throw new InvalidOperationException("No push scan completed, so there is no percentile.");
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
