using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Background;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// The re-scan results' own queue with a small concurrency and prefetch, on the background lane: a fan-out's results wait in the
/// broker while push results keep the main findings queue (and the database's write gate) to themselves.
/// </summary>
public sealed class ImageRescannedConsumerDefinition() : BackgroundLaneConsumerDefinition<ImageRescannedConsumer>(QueueName, Concurrency)
{
    public const string QueueName = QueueNames.FindingsRescans;
    public const int Concurrency = 2;
}
