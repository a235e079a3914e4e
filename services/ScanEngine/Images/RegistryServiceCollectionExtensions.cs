using System.Net;
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
    /// total timeout. Blob bodies must keep up <see cref="BlobThroughputOptions"/>.
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
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectTimeout = sp.GetRequiredService<IOptions<RegistryHttpOptions>>().Value.ConnectTimeout,
                // Blob GETs are often redirected to storage; Authorization is not forwarded on redirect.
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 5,
                // Digests are over the bytes as stored: never let the handler decompress.
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddResilienceHandler("registry", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<RegistryHttpOptions>>().Value;
                pipeline.AddTimeout(o.TotalTimeout);
                if (o.MaxRetryAttempts > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        // The default predicate: HttpRequestException, attempt timeouts, 5xx, 408 and 429.
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
