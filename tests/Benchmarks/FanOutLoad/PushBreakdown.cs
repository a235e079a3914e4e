using System.Collections.Concurrent;
using System.Diagnostics;
using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Benchmarks.FanOutLoad;

/// <summary>
/// Where a push scan's time goes: waiting for the router, in the router, waiting for the scanner, in the scanner, waiting for
/// Findings, in Findings. A consume observer stamps when each starts and finishes a push's message, by digest.
/// </summary>
public sealed class PushBreakdown : IConsumeObserver
{
    private sealed class Stamps
    {
        public long RouterStart, RouterEnd, ScannerStart, ScannerEnd, FindingsStart, FindingsEnd;
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
            case ImageScanned { Trigger: ScanTrigger.PUSH } scanned when IsFindings(context):
                Interlocked.CompareExchange(ref For(scanned.Image.Digest).FindingsStart, now, 0);
                break;
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
            case ImageScanned { Trigger: ScanTrigger.PUSH } scanned when IsFindings(context): For(scanned.Image.Digest).FindingsEnd = now; break;
        }
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private static bool IsRouter<T>(ConsumeContext<T> context) where T : class =>
        IsEndpoint(context, ImageScanning.ScanRouter.Extensions.ScanRouterExtensions.EndpointName);

    private static bool IsFindings<T>(ConsumeContext<T> context) where T : class =>
        IsEndpoint(context, ImageScanning.Findings.Extensions.FindingsExtensions.EndpointName);

    private static bool IsEndpoint<T>(ConsumeContext<T> context, string name) where T : class =>
        context.ReceiveContext.InputAddress?.AbsolutePath.EndsWith("/" + name, StringComparison.Ordinal) == true;

    /// <summary>The parts of a push's time (ms), from its publish timestamp to its ScanCompleted; null while any is missing.</summary>
    public PushParts? PartsOf(string digest, long published, long scanned, long completed) =>
        _byDigest.TryGetValue(digest, out var s) && s is { RouterStart: > 0, RouterEnd: > 0, ScannerStart: > 0, ScannerEnd: > 0, FindingsStart: > 0, FindingsEnd: > 0 }
            ? new PushParts(Ms(published, s.RouterStart), Ms(s.RouterStart, s.RouterEnd), Ms(s.RouterEnd, s.ScannerStart),
                Ms(s.ScannerStart, s.ScannerEnd), Ms(s.ScannerEnd, scanned),
                Ms(s.ScannerEnd, s.FindingsStart), Ms(s.FindingsStart, s.FindingsEnd), Ms(s.FindingsEnd, completed))
            : null;

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}

/// <summary>
/// A push's time, split: router queue, router, scanner queue, scanner, ImageScanned delivery to the observer; then Findings' queue
/// (from the scanner's end), Findings, and ScanCompleted delivery to the observer.
/// </summary>
public sealed record PushParts(double RouterWaitMs, double RouterMs, double ScannerWaitMs, double ScannerMs, double DeliveryMs,
    double FindingsWaitMs, double FindingsMs, double CompletedDeliveryMs);
