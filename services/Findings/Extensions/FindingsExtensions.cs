using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;

namespace ImageScanning.Findings.Extensions;

public static class FindingsExtensions
{
    public static IHostApplicationBuilder AddFindings(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IFindingsStore>("findings", path => new SqliteFindingsStore(path), db => new MongoFindingsStore(db));
        builder.Services.AddSingleton(builder.Configuration.GetSection("EventBridge").Get<EventBridgeOptions>() ?? new EventBridgeOptions());
        builder.Services.AddSingleton<FindingsMetrics>();
        return builder;
    }

    public static IBusRegistrationConfigurator AddFindingsConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ImageScannedConsumer>();
        bus.AddConsumer<ImageScanFailedConsumer>();
        bus.AddConsumer<ScanImageFaultConsumer>();
        bus.AddConsumer<GetImageFindingsConsumer>();
        bus.AddConsumer<ListScanCompletedEventsConsumer>();
        return bus;
    }
}
