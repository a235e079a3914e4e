using ImageScanning.CveFeed.Apis;
using ImageScanning.CveFeed.Importing;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.CveFeed.Extensions;

public static class CveFeedExtensions
{
    public static IHostApplicationBuilder AddCveFeed(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IAdvisoryStore>("advisories", path => new SqliteAdvisoryStore(path), db => new MongoAdvisoryStore(db));
        builder.Services.AddSingleton<CveFeedMetrics>();
        builder.Services.AddSingleton<AdvisoryImportService>();
        builder.Services.AddHostedService<StartupImportService>();
        return builder;
    }

    public static WebApplication MapCveFeedEndpoints(this WebApplication app)
    {
        app.MapGroup("/api/v1").RequireAuthorization(ApiAuthentication.PolicyName).MapAdvisoriesApi();
        return app;
    }
}
