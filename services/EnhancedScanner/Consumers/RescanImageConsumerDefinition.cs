using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Background;
using MassTransit;
using Microsoft.Extensions.Configuration;

namespace ImageScanning.EnhancedScanner.Consumers;

/// <summary>
/// The low-priority lane: its own queue (enhanced-rescanner), at most Scanning:MaxConcurrentRescans (default 2) re-scans in flight
/// per instance and a prefetch of the same size, so a bulk import's thousands of re-scans wait in the broker, not in this process,
/// while push and manual scans keep their own consumers on enhanced-scanner.
/// </summary>
public sealed class RescanImageConsumerDefinition(IConfiguration configuration)
    : BackgroundLaneConsumerDefinition<RescanImageConsumer>(QueueNames.EnhancedRescanner, MaxConcurrentRescans(configuration))
{
    public const string MaxConcurrentRescansKey = "Scanning:MaxConcurrentRescans";
    public const int DefaultMaxConcurrentRescans = 2;

    private static int MaxConcurrentRescans(IConfiguration configuration)
    {
        var limit = configuration.GetValue(MaxConcurrentRescansKey, DefaultMaxConcurrentRescans);
        return limit >= 1 ? limit : throw new InvalidOperationException($"{MaxConcurrentRescansKey} must be at least 1, not {limit}.");
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RescanImageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Re-scans arrive only by Send to this queue: no binding to the ScanImage message type, so nothing published reaches it.
        endpointConfigurator.ConfigureConsumeTopology = false;
        base.ConfigureConsumer(endpointConfigurator, consumerConfigurator, context);
    }
}
