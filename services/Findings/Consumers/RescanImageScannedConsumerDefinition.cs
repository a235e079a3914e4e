using ImageScanning.ServiceDefaults.Background;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// The re-scan results' own queue with a small concurrency and prefetch: a fan-out's results wait in the broker while push results
/// keep the main findings queue to themselves.
/// </summary>
public sealed class RescanImageScannedConsumerDefinition() : BackgroundLaneConsumerDefinition<RescanImageScannedConsumer>(QueueName, Concurrency)
{
    public const string QueueName = "findings-rescans";
    public const int Concurrency = 2;
}
