using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Rescanning;
using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageScanning.ScanRouter.Extensions;

public static class ScanRouterExtensions
{
    public static IHostApplicationBuilder AddScanRouter(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IScanRouterStore>("scanrouter", path => new SqliteScanRouterStore(path), db => new MongoScanRouterStore(db));
        builder.Services.AddSingleton<RouterMetrics>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<RescanOptions>(builder.Configuration.GetSection("Rescan"));
        builder.Services.Configure<UsageOptions>(builder.Configuration.GetSection("Usage"));
        builder.Services.AddSingleton<RescanFanOut>();
        builder.Services.AddHostedService<RescanExpirySweep>();
        return builder;
    }

    /// <summary>The main queue for the service's consumers (re-scan results and advisories have their own), so each service gets its own copy of every event it subscribes to.</summary>
    public const string EndpointName = "scan-router";

    public static IBusRegistrationConfigurator AddScanRouterConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddBackgroundLane(); // for the re-scan consumers' definitions
        bus.AddConsumer<ImagePushedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ImagePulledConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.TryAddScoped<ImageScannedHandler>();
        bus.AddConsumer<ImageScannedConsumer>().Endpoint(e => e.Name = EndpointName);
        // Re-scan results and advisories each get their own queue (see their definitions), so pushes never wait behind them.
        bus.AddConsumer<RescanImageScannedConsumer, RescanImageScannedConsumerDefinition>();
        bus.AddConsumer<ImageScanFailedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<NewCveAddedConsumer, NewCveAddedConsumerDefinition>();
        bus.AddConsumer<GetRegistryScanningConfigurationConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<PutRegistryScanningConfigurationConsumer>().Endpoint(e => e.Name = EndpointName);
        // The ECR-compatible API's requests (Gateway/Ecr).
        bus.AddConsumer<StartManualScanConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<PutRepositoryScanOnPushConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetRepositoryScanningConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListCatalogImagesConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListCatalogRepositoriesConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<PreviewScanningConfigurationConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListRepositoriesConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListRepositoryImagesConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListCoverageConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetRescanConfigurationConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<PutRescanConfigurationConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetScanUsageConsumer>().Endpoint(e => e.Name = EndpointName);
        return bus;
    }
}
