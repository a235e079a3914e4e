using ImageScanning.CveFeed.Apis;
using ImageScanning.CveFeed.Feeds;
using ImageScanning.CveFeed.Feeds.Sources;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.CveFeed.Importing;
using ImageScanning.Outbound;
using ImageScanning.ScanEngine.Advisories.Exploits;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ImageScanning.CveFeed.Extensions;

public static class CveFeedExtensions
{
    /// <summary>The advisory database: CveFeed owns it (and its outbox); scanners only read it.</summary>
    public const string AdvisoriesDatabase = "advisories";

    public static IHostApplicationBuilder AddCveFeed(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdvisoryUploadOptions>().BindConfiguration(AdvisoryUploadOptions.Section)
            .Validate(o => { o.Validate(); return true; });
        builder.AddAnnouncingAdvisoryStore();
        builder.AddAnnouncingExploitStore();
        builder.AddStore<IFeedStatusStore>("feeds", path => new SqliteFeedStatusStore(path), db => new MongoFeedStatusStore(db));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CveFeedMetrics>();
        builder.Services.AddBackgroundLane();
        builder.Services.AddSingleton<AdvisoryImportService>();
        builder.Services.AddSingleton<ExploitIntelligenceImportService>();
        builder.Services.AddHostedService<StartupImportService>();
        builder.Services.AddSingleton<FeedSources>();
        builder.Services.AddSingleton<FeedRunner>();
        builder.Services.AddHostedService<FeedScheduler>();
        builder.AddFeedHttpClient();
        return builder;
    }

    /// <summary>
    /// The advisory store, announcing what it stores through the advisory database's outbox, dispatched from this process. It
    /// replaces a plain store registered earlier (the scanners', hosted in the same process): there is one store per process,
    /// CveFeed is its one writer, and the scanners read through it alike.
    /// </summary>
    private static void AddAnnouncingAdvisoryStore(this IHostApplicationBuilder builder)
    {
        builder.AddOutbox(AdvisoriesDatabase);
        builder.Services.RemoveAll<IAdvisoryStore>();
        builder.Services.AddSingleton(provider => new AdvisoryAnnouncements(
            provider.GetRequiredKeyedService<IServiceDatabase>(AdvisoriesDatabase), provider.GetRequiredService<OutboxChannel>(),
            provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IAdvisoryStore>(provider =>
        {
            var announcements = provider.GetRequiredService<AdvisoryAnnouncements>();
            var clock = provider.GetRequiredService<TimeProvider>();
            return provider.GetRequiredKeyedService<IServiceDatabase>(AdvisoriesDatabase) switch
            {
                // The same file as the service database, so its outbox table is in the advisory store's transactions.
                SqliteDatabase file => new SqliteAdvisoryStore(file.Path, clock, announcements),
                MongoServiceDatabase mongo => new MongoAdvisoryStore(mongo.Database, clock, announcements),
                var other => throw new InvalidOperationException($"No advisory store for a {other.GetType().Name}."),
            };
        });
        // Its indexes at start (ScanEngine's store is no IMongoIndexOwner itself; see MongoAdvisoryIndexOwner).
        builder.Services.AddSingleton<MongoAdvisoryIndexOwner>();
        builder.AddMongoIndexes<MongoAdvisoryIndexOwner>();
    }

    /// <summary>
    /// The exploit-intelligence store on the same database as the advisories, announcing what an import changed through the same
    /// outbox; it replaces a plain one the scanners registered in this process, as the advisory store does. With the read side
    /// (<see cref="IExploitIntelligence"/>) for GET /api/v1/exploits/{id}.
    /// </summary>
    private static void AddAnnouncingExploitStore(this IHostApplicationBuilder builder)
    {
        builder.Services.RemoveAll<IExploitIntelligenceStore>();
        builder.Services.AddSingleton(provider => new ExploitIntelligenceAnnouncements(
            provider.GetRequiredKeyedService<IServiceDatabase>(AdvisoriesDatabase), provider.GetRequiredService<OutboxChannel>(),
            provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IExploitIntelligenceStore>(provider =>
        {
            var announcements = provider.GetRequiredService<ExploitIntelligenceAnnouncements>();
            var clock = provider.GetRequiredService<TimeProvider>();
            return provider.GetRequiredKeyedService<IServiceDatabase>(AdvisoriesDatabase) switch
            {
                SqliteDatabase file => new SqliteExploitIntelligenceStore(file.Path, clock, announcements),
                MongoServiceDatabase mongo => new MongoExploitIntelligenceStore(mongo.Database, clock, announcements),
                var other => throw new InvalidOperationException($"No exploit-intelligence store for a {other.GetType().Name}."),
            };
        });
        builder.Services.TryAddSingleton<IExploitIntelligence, ExploitIntelligenceReader>();
        builder.Services.AddSingleton<MongoExploitCollectionOwner>();
        builder.AddMongoIndexes<MongoExploitCollectionOwner>();
    }

    public static WebApplication MapCveFeedEndpoints(this WebApplication app)
    {
        app.MapGroup("/api/v1").RequireScopesByMethod().MapAdvisoriesApi().MapFeedsApi().MapExploitsApi();
        return app;
    }

    /// <summary>
    /// The feeds' HttpClient: a total timeout over retries (5xx, 408, 429, network errors, attempt timeouts) with
    /// exponential back-off, and a per-attempt timeout long enough for a whole osv.dev all.zip. CveFeed:Http tunes it. It connects
    /// through the Outbound address policy: a source's configured host at any address (each request names it), anything else it is
    /// sent to (a redirect) only where the policy allows, as the registry clients do.
    /// </summary>
    private static void AddFeedHttpClient(this IHostApplicationBuilder builder)
    {
        var http = builder.Configuration.GetSection("CveFeed:Http").Get<FeedHttpOptions>() ?? new FeedHttpOptions();
        builder.Services.AddSingleton(http);
        builder.Services.AddOutboundAddressPolicy();
        builder.Services.AddHttpClient(HttpFeedSource.HttpClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts govern
                client.DefaultRequestHeaders.UserAgent.ParseAdd("imagescanning-cvefeed/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new TrustedHostRoutingHandler(provider.GetRequiredService<OutboundAddressPolicy>(), _ => { }))
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
