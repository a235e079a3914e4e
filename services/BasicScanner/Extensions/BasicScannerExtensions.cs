using ImageScanning.BasicScanner.Consumers;
using ImageScanning.ScannerCore.Extensions;
using MassTransit;

namespace ImageScanning.BasicScanner.Extensions;

public static class BasicScannerExtensions
{
    public static IHostApplicationBuilder AddBasicScanner(this IHostApplicationBuilder builder) => builder.AddScannerCore();

    public static IBusRegistrationConfigurator AddBasicScannerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ScanImageConsumer, ScanImageConsumerDefinition>();
        return bus;
    }
}
