using ImageScanning.EnhancedScanner.Consumers;
using ImageScanning.ScannerCore.Extensions;
using ImageScanning.ServiceDefaults.Background;
using MassTransit;

namespace ImageScanning.EnhancedScanner.Extensions;

public static class EnhancedScannerExtensions
{
    public static IHostApplicationBuilder AddEnhancedScanner(this IHostApplicationBuilder builder) => builder.AddScannerCore();

    public static IBusRegistrationConfigurator AddEnhancedScannerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddBackgroundLane(); // for the re-scan consumers' definitions
        bus.AddConsumer<ScanImageConsumer, ScanImageConsumerDefinition>();
        bus.AddConsumer<RescanImageConsumer, RescanImageConsumerDefinition>();
        return bus;
    }
}
