using ImageScanning.Contracts;
using MassTransit;

namespace ImageScanning.EnhancedScanner.Consumers;

/// <summary>The enhanced scanner's queue. Scans are I/O- and CPU-heavy: a few at a time per instance; scale out with instances.</summary>
public sealed class ScanImageConsumerDefinition : ConsumerDefinition<ScanImageConsumer>
{
    public ScanImageConsumerDefinition()
    {
        EndpointName = QueueNames.EnhancedScanner;
        ConcurrentMessageLimit = 2;
    }
}
