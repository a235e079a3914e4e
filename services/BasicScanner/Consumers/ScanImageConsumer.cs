using ImageScanning.Contracts;
using ImageScanning.ScannerCore;
using MassTransit;

namespace ImageScanning.BasicScanner.Consumers;

/// <summary>Scans an image for OS packages only (BASIC).</summary>
public sealed class ScanImageConsumer(IScanImageHandler handler) : IConsumer<ScanImage>
{
    public Task Consume(ConsumeContext<ScanImage> context) => handler.HandleAsync(context, includeLanguagePackages: false);
}
