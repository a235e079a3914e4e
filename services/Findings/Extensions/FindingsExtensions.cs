using ImageScanning.Contracts;
using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Subscriptions;
using ImageScanning.Findings.Subscriptions.Consumers;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageScanning.Findings.Extensions;

public static class FindingsExtensions
{
    /// <summary>
    /// The service's one database (SQLite findings.db, or the Mongo database &lt;prefix&gt;findings): scan records, the finding
    /// lifecycle, subscriptions and their deliveries, and the outbox and inbox, so one transaction covers a message's whole effect.
    /// </summary>
    public const string DatabaseName = "findings";

    public static IHostApplicationBuilder AddFindings(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IFindingsStore>(DatabaseName,
            (SqliteDatabase database) => new SqliteFindingsStore(database), (MongoServiceDatabase database) => new MongoFindingsStore(database));
        builder.AddStore<IFindingLifecycleStore>(DatabaseName,
            (SqliteDatabase database) => new SqliteFindingLifecycleStore(database), (MongoServiceDatabase database) => new MongoFindingLifecycleStore(database));
        builder.AddOutbox(DatabaseName);
        builder.AddAwsAccount();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FindingArns>();
        builder.Services.AddSingleton<FindingLifecycleService>();
        builder.Services.AddSingleton<SuppressionRuleFailureReporter>();
        builder.Services.AddSingleton<FindingsMetrics>();
        builder.AddSubscriptions();
        builder.Services.AddSingleton<SuppressionRuleExpiry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SuppressionRuleExpiry>());
        return builder;
    }

    /// <summary>The main queue for the service's consumers (re-scan results have their own), so each service gets its own copy of every event it subscribes to.</summary>
    public const string EndpointName = QueueNames.Findings;

    public static IBusRegistrationConfigurator AddFindingsConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddBackgroundLane(); // for the re-scan consumer's definition
        bus.TryAddScoped<ImageScannedHandler>();
        bus.AddConsumer<ImageScannedConsumer>().Endpoint(e => e.Name = EndpointName);
        // Re-scan results are their own message type on their own queue (see its definition): pushes never wait behind a fan-out's.
        bus.AddConsumer<ImageRescannedConsumer, ImageRescannedConsumerDefinition>();
        bus.AddConsumer<ImageScanFailedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ScanImageFaultConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ScanEligibilityExpiredConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<RepositoryDeletedConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetImageFindingsConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetFindingsByArnConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListScanCompletedEventsConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ScanCompletedSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ScanFailedSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<FindingChangedSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<CreateSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<UpdateSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListSubscriptionsConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<DeleteSubscriptionConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListDeadLettersConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ReplayDeadLettersConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetImageSeverityCountsConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListFindingsConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListFindingAggregationsConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<SaveSuppressionRuleConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<DeleteSuppressionRuleConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<ListSuppressionRulesConsumer>().Endpoint(e => e.Name = EndpointName);
        bus.AddConsumer<GetImageSbomConsumer>().Endpoint(e => e.Name = EndpointName);
        return bus;
    }
}
