using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ServiceDefaults.Background;

public static class BackgroundLaneExtensions
{
    /// <summary>How many low-priority threads the lane has; default one per core, since they only take CPU nobody else wants.</summary>
    public const string ThreadsKey = "Background:Threads";

    /// <summary>
    /// One lane per process, whichever services it hosts (Standalone shares it between them). Every service that puts work on it
    /// calls this (a bus registration is a service collection too), so a consumer definition never finds it missing.
    /// </summary>
    public static IServiceCollection AddBackgroundLane(this IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
        {
            var threads = provider.GetService<IConfiguration>()?.GetValue(ThreadsKey, Environment.ProcessorCount) ?? Environment.ProcessorCount;
            if (threads < 1) throw new InvalidOperationException($"{ThreadsKey} must be at least 1, not {threads}.");
            return new BackgroundLane(threads, provider.GetService<ILogger<BackgroundLane>>());
        });
        return services;
    }

    /// <summary>Runs this consumer on the process's <see cref="BackgroundLane"/>: for bulk work that must never slow a push scan.</summary>
    public static void UseBackgroundLane<TConsumer>(this IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
        where TConsumer : class =>
        consumer.UseFilter(new BackgroundLaneFilter<TConsumer>(context.GetService<BackgroundLane>() ?? throw new InvalidOperationException(
            $"{typeof(TConsumer).Name} runs on the background lane, which is not registered: call services.AddBackgroundLane() (AddMessaging does).")));
}
