using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ImageScanning.Gateway.Apis;
using ImageScanning.Gateway.Webhooks;
using ImageScanning.ServiceDefaults.Security;

namespace ImageScanning.Gateway.Extensions;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var registries = builder.Configuration.GetSection("Registries").Get<List<RegistryWebhookOptions>>() ?? [];
        builder.Services.AddSingleton(new ConfiguredRegistries(registries));
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.MapLandingPage();
        app.MapWebhookEndpoints();
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(ApiAuthentication.PolicyName);
        var api = app.MapGroup("/api/v1").RequireAuthorization(ApiAuthentication.PolicyName);
        api.MapScanningConfigurationApi();
        api.MapRescanConfigurationApi();
        api.MapUsageApi();
        api.MapFindingsApi();
        return app;
    }
}
