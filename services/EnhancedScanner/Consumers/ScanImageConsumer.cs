using ImageScanning.Contracts;
using ImageScanning.ScannerCore;
using MassTransit;

namespace ImageScanning.EnhancedScanner.Consumers;

/// <summary>Scans an image for OS and language packages (ENHANCED).</summary>
public sealed class ScanImageConsumer(IScanImageHandler handler) : IConsumer<ScanImage>
{
    public Task Consume(ConsumeContext<ScanImage> context) => handler.HandleAsync(context, includeLanguagePackages: true);
}
