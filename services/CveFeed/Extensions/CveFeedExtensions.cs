using ImageScanning.CveFeed.Apis;
using ImageScanning.CveFeed.Feeds;
using ImageScanning.CveFeed.Feeds.Sources;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ImageScanning.CveFeed.Extensions;

public static class CveFeedExtensions
{
    public static IHostApplicationBuilder AddCveFeed(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IAdvisoryStore>("advisories", path => new SqliteAdvisoryStore(path), db => new MongoAdvisoryStore(db));
        builder.AddStore<IFeedStatusStore>("feeds", path => new SqliteFeedStatusStore(path), db => new MongoFeedStatusStore(db));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CveFeedMetrics>();
        builder.Services.AddBackgroundLane();
        builder.Services.AddSingleton<AdvisoryImportService>();
        builder.Services.AddHostedService<StartupImportService>();
        builder.Services.AddSingleton<FeedSources>();
        builder.Services.AddSingleton<FeedRunner>();
        builder.Services.AddHostedService<FeedScheduler>();
        builder.AddFeedHttpClient();
        return builder;
    }

    public static WebApplication MapCveFeedEndpoints(this WebApplication app)
    {
        app.MapGroup("/api/v1").RequireAuthorization(ApiAuthentication.PolicyName).MapAdvisoriesApi().MapFeedsApi();
        return app;
    }

    /// <summary>
    /// The feeds' HttpClient: a total timeout over retries (5xx, 408, 429, network errors, attempt timeouts) with
    /// exponential back-off, and a per-attempt timeout long enough for a whole osv.dev all.zip. CveFeed:Http tunes it.
    /// </summary>
    private static void AddFeedHttpClient(this IHostApplicationBuilder builder)
    {
        var http = builder.Configuration.GetSection("CveFeed:Http").Get<FeedHttpOptions>() ?? new FeedHttpOptions();
        builder.Services.AddSingleton(http);
        builder.Services.AddHttpClient(HttpFeedSource.HttpClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts govern
                client.DefaultRequestHeaders.UserAgent.ParseAdd("imagescanning-cvefeed/1.0");
            })
            .AddResilienceHandler("cve-feed", pipeline =>
            {
                pipeline.AddTimeout(http.TotalTimeout);
                if (http.MaxRetryAttempts > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = http.MaxRetryAttempts,
                        Delay = http.RetryDelay,
                        BackoffType = Polly.DelayBackoffType.Exponential,
                        UseJitter = true,
                    });
                pipeline.AddTimeout(http.AttemptTimeout);
            });
    }
}
