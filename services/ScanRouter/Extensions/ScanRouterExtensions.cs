using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Dispatching;
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
        // Four stores in one database, so a unit of work spans them, the outbox and the inbox.
        const string database = ScanRouterDatabase.Name;
        builder.AddStore<IScanningConfigurationStore>(database, file => new SqliteScanningConfigurationStore(file), db => new MongoScanningConfigurationStore(db));
        builder.AddStore<IImageCatalogStore>(database, file => new SqliteImageCatalogStore(file), db => new MongoImageCatalogStore(db));
        builder.AddStore<IPackageIndexStore>(database, file => new SqlitePackageIndexStore(file), db => new MongoPackageIndexStore(db));
        builder.AddStore<IScanUsageStore>(database, file => new SqliteScanUsageStore(file), db => new MongoScanUsageStore(db));
        builder.AddOutbox(database);
        builder.Services.AddSingleton<RouterMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RescanOptions>().BindConfiguration("Rescan");
        builder.Services.AddOptions<UsageOptions>().BindConfiguration("Usage");
        builder.Services.AddOptions<StuckScanOptions>().BindConfiguration("Scanning")
            .Validate(o => o.IsValid(), "Scanning:StuckScanSweepInterval and Scanning:StuckScanAfter must be positive, Scanning:MaxScanDispatches at least 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RescanFanOut>();
        builder.Services.AddHostedService<RescanExpirySweep>();
        builder.Services.AddSingleton<StuckScanSweeper>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<StuckScanSweeper>());
        builder.Services.AddSingleton<DeliveryIdPurge>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DeliveryIdPurge>());
        return builder;
    }

    /// <summary>The main queue for the service's consumers (re-scan results and advisories have their own), so each service gets its own copy of every event it subscribes to.</summary>
    public const string EndpointName = QueueNames.ScanRouter;

    public static IBusRegistrationConfigurator AddScanRouterConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddBackgroundLane(); // for the re-scan consumers' definitions
        bus.AddConsumer<ImagePushedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ImagePulledConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.TryAddScoped<ImageScannedHandler>();
        bus.AddConsumer<ImageScannedConsumer>().Endpoint(e => e.Name = EndpointName);
        // Re-scan results and advisories each get their own queue (see their definitions), so pushes never wait behind them.
        bus.AddConsumer<ImageRescannedConsumer, ImageRescannedConsumerDefinition>();
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
        bus.AddConsumer<CreateCatalogRepositoryConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<DeleteCatalogRepositoryConsumer>().Endpoint(e => e.Name = EndpointName);
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
