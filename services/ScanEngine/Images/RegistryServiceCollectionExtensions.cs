using System.Net;
using ImageScanning.Outbound;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ImageScanning.ScanEngine.Images;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configured registries (<paramref name="registriesSection"/> is the "Registries"
    /// array of {Name, Url, Username, Password, BearerToken}; a parent section holding "Registries"
    /// works too), <see cref="IRegistryClientFactory"/>, <see cref="LayerReader"/>,
    /// <see cref="ImageReader"/> and the registry HttpClient with its resilience pipeline: retries
    /// with exponential backoff and jitter on connection failures, 5xx, 408 and 429 (never on other
    /// 4xx), an attempt timeout up to the response headers (bodies are streamed outside it) and a
    /// total timeout. Blob bodies must keep up <see cref="BlobThroughputOptions"/>. Connections pass the Outbound address policy
    /// (section "Outbound", <see cref="OutboundOptions"/>) except to each registry's own configured host.
    /// </summary>
    public static IServiceCollection AddRegistryClients(
        this IServiceCollection services, IConfiguration registriesSection, Action<RegistryHttpOptions>? configureHttp = null)
    {
        var section = registriesSection.GetSection("Registries") is { } inner && inner.GetChildren().Any() ? inner : registriesSection;
        services.AddOptions<RegistriesOptions>().Configure(o => section.Bind(o.Registries));
        // Defaults here; the scanners bind them from Scanning:* (ScannerCore).
        services.AddOptions<BlobThroughputOptions>();
        var http = services.AddOptions<RegistryHttpOptions>();
        if (configureHttp is not null) http.Configure(configureHttp);

        services.AddOutboundAddressPolicy();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRegistryClientFactory, RegistryClientFactory>();
        services.TryAddSingleton<LayerReader>();
        // Defaults here; the scanners bind them from Scanning:LayerLimits:* and Scanning:ImageLimits:* (ScannerCore).
        services.AddOptions<LayerLimits>();
        services.AddOptions<ImageLimits>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LayerLimits>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ImageLimits>>().Value);
        services.TryAddSingleton<ILayerCache>(_ => new MemoryLayerCache());
        services.TryAddSingleton<ImageReader>();

        services.AddHttpClient(RegistryClientFactory.HttpClientName, client =>
            {
                // The pipeline's timeouts govern; streamed bodies have their own idle timeout.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("imagescanning-scanner/1.0");
            })
            // Each registry's requests use connections of their own, through the Outbound address policy: the registry's
            // configured host at any address, anything else (a redirect, a token realm) only where the policy allows.
            .ConfigurePrimaryHttpMessageHandler(sp => new TrustedHostRoutingHandler(sp.GetRequiredService<OutboundAddressPolicy>(), handler =>
            {
                handler.ConnectTimeout = sp.GetRequiredService<IOptions<RegistryHttpOptions>>().Value.ConnectTimeout;
                // Redirects are followed by RegistryClient, hop by hop, so that each is checked and none carries credentials elsewhere.
                handler.AllowAutoRedirect = false;
                handler.UseCookies = false;
                // Digests are over the bytes as stored: never let the handler decompress.
                handler.AutomaticDecompression = DecompressionMethods.None;
                handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
            }))
            .AddResilienceHandler("registry", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<RegistryHttpOptions>>().Value;
                pipeline.AddTimeout(o.TotalTimeout);
                if (o.MaxRetryAttempts > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        // The default predicate (HttpRequestException, attempt timeouts, 5xx, 408 and 429), except a connection
                        // the address policy refused: that is an answer, not a transient failure.
                        ShouldHandle = args => ValueTask.FromResult(
                            HttpClientResiliencePredicates.IsTransient(args.Outcome) && OutboundAddressRefusedException.Find(args.Outcome.Exception) is null),
                        MaxRetryAttempts = o.MaxRetryAttempts,
                        Delay = o.RetryBaseDelay,
                        MaxDelay = o.RetryMaxDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    });
                pipeline.AddTimeout(o.AttemptTimeout);
            });
        return services;
    }
}
