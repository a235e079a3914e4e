using MassTransit;

namespace ImageScanning.ServiceDefaults.Background;

/// <summary>
/// A bulk consumer's endpoint: its own queue, a small concurrency with the same prefetch (the rest of a burst waits in the broker,
/// not in the process), and the consumer run on the background lane. What every re-scan and advisory consumer shares.
/// </summary>
public abstract class BackgroundLaneConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected BackgroundLaneConsumerDefinition(string queueName, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        EndpointName = queueName;
        ConcurrentMessageLimit = concurrency;
        Endpoint(e => e.PrefetchCount = concurrency);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseBackgroundLane(context);
}
