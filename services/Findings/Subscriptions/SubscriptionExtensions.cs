using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.Findings.Subscriptions.Delivery;
using ImageScanning.Outbound;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageScanning.Findings.Subscriptions;

public static class SubscriptionExtensions
{
    /// <summary>
    /// The subscription store (in the findings database, so deliveries commit with the events' inbox marks; secrets encrypted),
    /// the webhook outbox and its dispatcher, whose connections pass the Outbound address policy.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriptions(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Subscriptions").Get<SubscriptionOptions>() ?? new SubscriptionOptions();
        var protector = new SubscriptionSecretProtector(KeyRingDirectory(builder, options));
        builder.AddStore<ISubscriptionStore>(FindingsExtensions.DatabaseName,
            (SqliteDatabase database) => new ProtectedSubscriptionStore(new SqliteSubscriptionStore(database), protector),
            (MongoServiceDatabase database) => new ProtectedSubscriptionStore(new MongoSubscriptionStore(database), protector));
        builder.Services.AddSingleton(protector);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOutboundAddressPolicy();
        builder.Services.AddSingleton<SubscriptionTargetPolicy>();
        builder.Services.AddSingleton<SubscriptionMetrics>();
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddSingleton<SubscriptionOutbox>();
        // Our own retries and dead letters decide what happens on failure; the client only must not follow redirects
        // (a subscriber cannot bounce signed events to a URL nobody subscribed), and connects only where the policy allows.
        builder.Services.AddHttpClient(SubscriptionDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var handler = OutboundConnector.CreateHandler(provider.GetRequiredService<OutboundAddressPolicy>());
                handler.AllowAutoRedirect = false;
                handler.UseCookies = false;
                return handler;
            });
        builder.Services.AddHostedService<SubscriptionSecretMigration>();
        builder.Services.AddHostedService<SubscriptionDispatcher>();
        return builder;
    }

    /// <summary>Subscriptions:KeyRingDirectory, or "findings-keys" beside the service's SQLite file.</summary>
    private static string KeyRingDirectory(IHostApplicationBuilder builder, SubscriptionOptions options)
    {
        var dataDirectory = Path.GetFullPath(builder.Configuration.GetStorageOptions().DataDirectory, builder.Environment.ContentRootPath);
        return string.IsNullOrWhiteSpace(options.KeyRingDirectory)
            ? Path.Combine(dataDirectory, FindingsExtensions.DatabaseName + "-keys")
            : Path.GetFullPath(options.KeyRingDirectory, builder.Environment.ContentRootPath);
    }
}
