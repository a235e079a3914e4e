using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Security;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.ServiceDefaults.Extensions;

/// <summary>Messaging:Transport = InMemory (standalone) or RabbitMQ (distributed).</summary>
public sealed class MessagingOptions
{
    public string Transport { get; set; } = "InMemory";
    public string RabbitMqHost { get; set; } = "localhost";
    public ushort RabbitMqPort { get; set; } = 5672;

    /// <summary>Every node of a RabbitMQ cluster ("host:port"); when set, the bus connects to whichever is up and moves on when it fails.</summary>
    public IReadOnlyList<string> RabbitMqNodes { get; set; } = [];

    public string RabbitMqVirtualHost { get; set; } = "/";
    public string RabbitMqUsername { get; set; } = "guest";
    public string RabbitMqPassword { get; set; } = "guest";

    /// <summary>Set when RabbitMQ has the delayed-message-exchange plugin; enables delayed redelivery there.</summary>
    public bool RabbitMqDelayedExchange { get; set; }

    /// <summary>
    /// How many times a quorum queue hands out one message before dead-lettering it to the queue's _error queue: a message whose
    /// consumer process dies every time (an image that runs the scanner out of memory) stops there instead of looping for ever.
    /// </summary>
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>How long a message that meets a store or broker outage is retried (held, with growing pauses) before it faults.</summary>
    public TimeSpan TransientRetryFor { get; set; } = TimeSpan.FromMinutes(10);

    public bool IsRabbitMq => string.Equals(Transport, "RabbitMQ", StringComparison.OrdinalIgnoreCase);

    /// <summary>The pauses between retries of a transient failure: 1 s doubling up to a minute, until they add up to <see cref="TransientRetryFor"/>.</summary>
    public TimeSpan[] TransientRetryIntervals()
    {
        var intervals = new List<TimeSpan>();
        var next = TimeSpan.FromSeconds(1);
        for (var total = TimeSpan.Zero; total < TransientRetryFor; total += next, next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, TimeSpan.FromMinutes(1).Ticks)))
            intervals.Add(next);
        return [.. intervals];
    }
}

public static class MessagingExtensions
{
    /// <summary>
    /// One bus per process, whichever services it hosts. Every receive endpoint: a quorum queue with a delivery limit that
    /// dead-letters to its _error queue (RabbitMQ); store and broker outages retried for minutes; other failures retried three
    /// times, then delayed redelivery where the transport supports it, then MassTransit's _error queue (and a Fault event).
    /// MassTransit's usage telemetry is off.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> addConsumers)
    {
        var options = builder.Configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions();
        if (options.DeliveryLimit < 1) throw new InvalidOperationException("Messaging:DeliveryLimit must be at least 1.");
        if (options.IsRabbitMq) InsecureDefaults.ThrowIfAny(builder.Configuration, options.RabbitMqUsername, options.RabbitMqPassword);
        builder.Services.RemoveAll<MessagingOptions>();
        builder.Services.AddSingleton(options);
        builder.Services.AddBackgroundLane();
        FaultInjection.ThrowAfterCommit(builder.Configuration.GetSection("Testing:ThrowAfterCommit").Get<string[]>() ?? []);
        // The outbox dispatcher starts sending once the host has started: the bus must be up by then.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        var transientIntervals = options.TransientRetryIntervals();
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit otherwise posts usage telemetry to its own host after start-up (and may ask a cloud metadata service): an
            // air-gapped platform makes no outbound call nobody configured. MASSTRANSIT_USAGE_TELEMETRY=true still turns it on.
            x.DisableUsageTelemetry();
            addConsumers(x);
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) ConfigureQueue(rabbit, name, options);
                if (!options.IsRabbitMq || options.RabbitMqDelayedExchange)
                    endpoint.UseDelayedRedelivery(r => r.Intervals(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));
                // Outermost: an outage of the store or broker is waited out, holding the message, for TransientRetryFor.
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(TransientFailures.IsTransient);
                    r.Intervals(transientIntervals);
                });
                // Anything else is probably the message's own fault: a few quick tries, then it faults.
                endpoint.UseMessageRetry(r =>
                {
                    r.Ignore<Exception>(TransientFailures.IsTransient);
                    r.Intervals(100, 500, 2000);
                });
            });

            if (options.IsRabbitMq)
            {
                if (options.RabbitMqDelayedExchange) x.AddDelayedMessageScheduler();
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(options.RabbitMqHost, options.RabbitMqPort, options.RabbitMqVirtualHost, h =>
                    {
                        h.Username(options.RabbitMqUsername);
                        h.Password(options.RabbitMqPassword);
                        h.PublisherConfirmation = true;
                        h.Heartbeat(TimeSpan.FromSeconds(10));
                        if (options.RabbitMqNodes.Count > 0) h.UseCluster(c => { foreach (var node in options.RabbitMqNodes) c.Node(node); });
                    });
                    if (options.RabbitMqDelayedExchange) cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.AddDelayedMessageScheduler();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return builder;
    }

    /// <summary>
    /// A replicated quorum queue. Past <see cref="MessagingOptions.DeliveryLimit"/> deliveries the broker dead-letters a message
    /// (at least once) to the queue's _error queue, which is declared at start-up so nothing dead-lettered is dropped for want of
    /// it. MassTransit declares that queue again on its first fault, with the receive queue's arguments: they must be the same here.
    /// </summary>
    private static void ConfigureQueue(IRabbitMqReceiveEndpointConfigurator rabbit, string queue, MessagingOptions options)
    {
        var errorQueue = queue + "_error";
        void Arguments(IRabbitMqQueueConfigurator q)
        {
            q.SetQuorumQueue();
            q.SetQueueArgument("x-delivery-limit", options.DeliveryLimit);
            q.SetQueueArgument("x-dead-letter-strategy", "at-least-once");
            q.SetQueueArgument("x-overflow", "reject-publish");
        }
        Arguments(rabbit);
        rabbit.BindDeadLetterQueue(errorQueue, errorQueue, q =>
        {
            Arguments(q);
            q.SetQueueArgument("x-dead-letter-exchange", errorQueue);
        });
    }
}
