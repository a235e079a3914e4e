using ImageScanning.Contracts;
using ImageScanning.ScannerCore;
using MassTransit;

namespace ImageScanning.EnhancedScanner.Consumers;

/// <summary>
/// Re-scans for new advisories (ScanImage with Trigger RESCAN), from their own queue: the stored inventory is re-matched without a
/// pull. Kept apart from <see cref="ScanImageConsumer"/> so a burst of re-scans never delays a push scan.
/// </summary>
public sealed class RescanImageConsumer(IScanImageHandler handler) : IConsumer<ScanImage>
{
    public Task Consume(ConsumeContext<ScanImage> context) => handler.HandleAsync(context, includeLanguagePackages: true);
}
