using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ImageScanning.Gateway.Admin;
using ImageScanning.Gateway.Apis;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Harbor;
using ImageScanning.Gateway.Inspector2;
using ImageScanning.Gateway.Inspector2.SbomExports;
using ImageScanning.Gateway.Polling;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Extensions;

public static class GatewayExtensions
{
    /// <summary>The Gateway's own service database: the outbox of the registry events it accepted.</summary>
    public const string DatabaseName = "gateway";

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.AddOutbox(DatabaseName);
        builder.AddAwsAccount();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => o.Problem() is null, "Gateway:Webhooks:StoreTimeout and ResolveTimeout must be positive, MaxBodyBytes and MaxEventsPerNotification at least 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookEventStore>();
        builder.AddWebhookFormats();
        builder.AddCatalogPolling();
        builder.AddWebhookRateLimiting();
        builder.Services.AddSingleton<RabbitMqDeadLetters>();
        var registries = builder.Configuration.GetSection("Registries").Get<List<RegistryWebhookOptions>>() ?? [];
        builder.Services.AddSingleton(new ConfiguredRegistries(registries));
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi();
        builder.AddEcrApi();
        builder.AddHarborScanner();
        builder.AddInspector2SbomExports();
        return builder;
    }

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapLandingPage();
        app.MapWebConsole();
        app.MapWebhookEndpoints();
        app.MapDeadLetterApi();
        app.MapEcrApi();
        app.MapInspector2Api();
        app.MapHarborScanner();
        app.MapOpenApi("/openapi/{documentName}.json").RequireScope(TokenScopes.Read);
        // Reads need the read scope, mutations the write scope (RequireScopesByMethod), unless an endpoint names its own.
        var api = app.MapGroup("/api/v1").RequireScopesByMethod();
        api.MapScanningConfigurationApi();
        api.MapRescanConfigurationApi();
        api.MapUsageApi();
        api.MapFindingsApi();
        api.MapSubscriptionsApi();
        api.MapCatalogApi();
        api.MapFindingQueryApi();
        api.MapSuppressionRulesApi();
        api.MapCoverageApi();
        api.MapSbomApi();
        return app;
    }
}
