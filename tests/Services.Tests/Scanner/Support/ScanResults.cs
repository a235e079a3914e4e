using System.Collections.Concurrent;
using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.Services.Tests.Scanner.Support;

/// <summary>
/// Every scan result the bus delivered to <see cref="ScanResultsObserver"/>, each copy counted (the harness's lists would fold copies
/// with one message id together; here a duplicate shows).
/// </summary>
internal sealed class ScanResults
{
    private readonly ConcurrentQueue<(Guid ScanId, object Message, Guid? MessageId)> _results = new();

    public void Add(Guid scanId, object message, Guid? messageId) => _results.Enqueue((scanId, message, messageId));

    public IReadOnlyList<T> Of<T>(Guid scanId) => _results.Where(r => r.ScanId == scanId).Select(r => r.Message).OfType<T>().ToList();

    public IReadOnlyList<Guid?> MessageIdsOf(Guid scanId) => _results.Where(r => r.ScanId == scanId).Select(r => r.MessageId).ToList();

    public int CountFor(Guid scanId) => _results.Count(r => r.ScanId == scanId);

    /// <summary>Waits for the first result of <paramref name="scanId"/>; fails the test when none comes in time.</summary>
    public async Task WaitForAsync(Guid scanId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (CountFor(scanId) == 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"No result of scan {scanId} arrived within {timeout ?? TimeSpan.FromSeconds(60)}.");
            await Task.Delay(25);
        }
    }
}

/// <summary>A subscriber to the scanners' results, as the router and Findings are.</summary>
internal sealed class ScanResultsObserver(ScanResults results)
    : IConsumer<ImageScanned>, IConsumer<ImageRescanned>, IConsumer<ImageScanFailed>, IConsumer<Fault<ScanImage>>
{
    public Task Consume(ConsumeContext<ImageScanned> context) => Record(context.Message.ScanId, context);

    public Task Consume(ConsumeContext<ImageRescanned> context) => Record(context.Message.Scan.ScanId, context);

    public Task Consume(ConsumeContext<ImageScanFailed> context) => Record(context.Message.ScanId, context);

    public Task Consume(ConsumeContext<Fault<ScanImage>> context) => Record(context.Message.Message.ScanId, context);

    private Task Record<T>(Guid scanId, ConsumeContext<T> context) where T : class
    {
        results.Add(scanId, context.Message, context.MessageId);
        return Task.CompletedTask;
    }
}
