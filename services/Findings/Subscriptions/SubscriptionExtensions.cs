using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Delivery;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageScanning.Findings.Subscriptions;

public static class SubscriptionExtensions
{
    /// <summary>
    /// The subscription store (in the findings database, so deliveries commit with the events' inbox marks), the webhook outbox
    /// and its dispatcher.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriptions(this IHostApplicationBuilder builder)
    {
        builder.AddStore<ISubscriptionStore>(FindingsExtensions.DatabaseName,
            (SqliteDatabase database) => new SqliteSubscriptionStore(database), (MongoServiceDatabase database) => new MongoSubscriptionStore(database));
        builder.Services.AddSingleton(builder.Configuration.GetSection("Subscriptions").Get<SubscriptionOptions>() ?? new SubscriptionOptions());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SubscriptionMetrics>();
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddSingleton<SubscriptionOutbox>();
        // Our own retries and dead letters decide what happens on failure; the client only must not follow redirects
        // (a subscriber cannot bounce signed events to a URL nobody subscribed).
        builder.Services.AddHttpClient(SubscriptionDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        builder.Services.AddHostedService<SubscriptionDispatcher>();
        return builder;
    }
}
