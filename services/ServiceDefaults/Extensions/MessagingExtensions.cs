using ImageScanning.ServiceDefaults.Background;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.ServiceDefaults.Extensions;

/// <summary>Messaging:Transport = InMemory (standalone) or RabbitMQ (distributed).</summary>
public sealed class MessagingOptions
{
    public string Transport { get; set; } = "InMemory";
    public string RabbitMqHost { get; set; } = "localhost";
    public ushort RabbitMqPort { get; set; } = 5672;
    public string RabbitMqVirtualHost { get; set; } = "/";
    public string RabbitMqUsername { get; set; } = "guest";
    public string RabbitMqPassword { get; set; } = "guest";

    /// <summary>Set when RabbitMQ has the delayed-message-exchange plugin; enables delayed redelivery there.</summary>
    public bool RabbitMqDelayedExchange { get; set; }

    public bool IsRabbitMq => string.Equals(Transport, "RabbitMQ", StringComparison.OrdinalIgnoreCase);
}

public static class MessagingExtensions
{
    /// <summary>
    /// One bus per process, whichever services it hosts. Retries (immediate, then intervals),
    /// delayed redelivery where the transport supports it, and MassTransit's _error queues.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> addConsumers)
    {
        var options = builder.Configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddBackgroundLane();
        builder.Services.AddMassTransit(x =>
        {
            addConsumers(x);
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
                if (!options.IsRabbitMq || options.RabbitMqDelayedExchange)
                    endpoint.UseDelayedRedelivery(r => r.Intervals(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));
                endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000));
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
}
