using System.Collections.Concurrent;
using ImageScanning.Contracts;
using ImageScanning.ScannerCore;
using MassTransit;

namespace ImageScanning.Services.Tests.Scanner.Support;

/// <summary>
/// The BASIC scanner's consumer as services/BasicScanner wires it (this project does not reference that host), recording each
/// delivery once the handler is done with it.
/// </summary>
internal sealed class BasicScanConsumer(IScanImageHandler handler, ScanDeliveries deliveries) : IConsumer<ScanImage>
{
    public async Task Consume(ConsumeContext<ScanImage> context)
    {
        try
        {
            // As the router sends ENHANCED scans to the enhanced scanner: language packages only for them.
            await handler.HandleAsync(context, includeLanguagePackages: context.Message.ScanType == ScanType.ENHANCED);
            deliveries.Add(context.Message.ScanId, context.MessageId, null);
        }
        catch (Exception e)
        {
            deliveries.Add(context.Message.ScanId, context.MessageId, e);
            throw;
        }
    }
}

/// <summary>Deliveries of ScanImage the scanner finished handling: returned, or threw (then MassTransit retries or faults).</summary>
internal sealed class ScanDeliveries
{
    private readonly ConcurrentQueue<(Guid ScanId, Guid? MessageId, Exception? Error)> _deliveries = new();

    public void Add(Guid scanId, Guid? messageId, Exception? error) => _deliveries.Enqueue((scanId, messageId, error));

    public IReadOnlyList<(Guid? MessageId, Exception? Error)> Of(Guid scanId) =>
        _deliveries.Where(d => d.ScanId == scanId).Select(d => (d.MessageId, d.Error)).ToList();

    public async Task WaitForAsync(Guid scanId, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Of(scanId).Count < count)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Scan {scanId} was handled {Of(scanId).Count} times, not {count}, in time.");
            await Task.Delay(25);
        }
    }
}
