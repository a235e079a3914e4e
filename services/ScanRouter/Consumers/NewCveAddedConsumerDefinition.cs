using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Background;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// Advisories on their own queue, one at a time with a prefetch of one: a bulk import's thousands of NewCveAdded wait in the broker
/// instead of ahead of ImagePushed on the main scan-router queue.
/// </summary>
public sealed class NewCveAddedConsumerDefinition() : BackgroundLaneConsumerDefinition<NewCveAddedConsumer>(QueueName, Concurrency)
{
    public const string QueueName = QueueNames.ScanRouterAdvisories;
    public const int Concurrency = 1;
}
