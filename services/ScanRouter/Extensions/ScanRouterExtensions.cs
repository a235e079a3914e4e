using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;

namespace ImageScanning.ScanRouter.Extensions;

public static class ScanRouterExtensions
{
    public static IHostApplicationBuilder AddScanRouter(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IScanRouterStore>("scanrouter", path => new SqliteScanRouterStore(path), db => new MongoScanRouterStore(db));
        builder.Services.AddSingleton<RouterMetrics>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>One queue for the service's consumers, so each service gets its own copy of every event it subscribes to.</summary>
    public const string EndpointName = "scan-router";

    public static IBusRegistrationConfigurator AddScanRouterConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ImagePushedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ImageScannedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ImageScanFailedConsumer>().Endpoint(e => e.Name = EndpointName);
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
        return bus;
    }
}
