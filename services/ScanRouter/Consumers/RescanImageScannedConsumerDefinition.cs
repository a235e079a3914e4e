using ImageScanning.ServiceDefaults.Background;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// The re-scan results' own queue with a small concurrency and prefetch: a fan-out's results wait in the broker while push results
/// keep the main scan-router queue to themselves.
/// </summary>
public sealed class RescanImageScannedConsumerDefinition : ConsumerDefinition<RescanImageScannedConsumer>
{
    public const string QueueName = "scan-router-rescans";
    public const int Concurrency = 2;

    public RescanImageScannedConsumerDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = Concurrency;
        Endpoint(e => e.PrefetchCount = Concurrency);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RescanImageScannedConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseBackgroundLane(context);
}
