using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.BasicScanner.Consumers;

/// <summary>The basic scanner's queue. Scans are I/O- and CPU-heavy: a few at a time per instance; scale out with instances.</summary>
public sealed class ScanImageConsumerDefinition : ConsumerDefinition<ScanImageConsumer>
{
    public ScanImageConsumerDefinition()
    {
        EndpointName = QueueNames.BasicScanner;
        ConcurrentMessageLimit = 2;
    }
}
