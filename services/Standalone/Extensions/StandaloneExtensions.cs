using System.Security.Cryptography;
using ImageScanning.BasicScanner.Extensions;
using ImageScanning.CveFeed.Extensions;
using ImageScanning.EnhancedScanner.Extensions;
using ImageScanning.Findings.Extensions;
using ImageScanning.Gateway.Extensions;
using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ImageScanning.Standalone.Extensions;

/// <summary>Every service in one process, on the in-memory bus and embedded SQLite: the same code as the distributed mode.</summary>
public static class StandaloneExtensions
{
    public static WebApplicationBuilder AddAllServices(this WebApplicationBuilder builder)
    {
        builder.EnsureApiToken();
        builder.AddServiceDefaults("standalone");
        builder.AddGateway().AddScanRouter().AddBasicScanner().AddEnhancedScanner().AddCveFeed().AddFindings();
        builder.AddMessaging(bus => bus
            .AddScanRouterConsumers()
            .AddBasicScannerConsumers()
            .AddEnhancedScannerConsumers()
            .AddFindingsConsumers());
        return builder;
    }

    public static WebApplication MapAllEndpoints(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.MapGatewayEndpoints();
        app.MapCveFeedEndpoints();
        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app));
        return app;
    }

    /// <summary>A first run with no configuration still gets an authenticated API: a token made for this run, printed once.</summary>
    private static void EnsureApiToken(this WebApplicationBuilder builder)
    {
        EnsureToken(builder, "Security:ApiTokens", "Standalone:GeneratedApiToken");
        EnsureToken(builder, "Security:AdminTokens", "Standalone:GeneratedAdminToken");
    }

    private static void EnsureToken(WebApplicationBuilder builder, string section, string generatedKey)
    {
        if (builder.Configuration.GetSection(section).Get<string[]>() is { Length: > 0 }) return;
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        builder.Configuration[section + ":0"] = token;
        builder.Configuration[generatedKey] = token;
    }

    private static void PrintBanner(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = addresses.FirstOrDefault() ?? "(no address)";
        var generated = app.Configuration["Standalone:GeneratedApiToken"];
        Console.WriteLine($"Image scanning platform (standalone) is running.");
        Console.WriteLine($"  Console:  {url}/console/");
        Console.WriteLine($"  API:      {url}/api/v1   OpenAPI: {url}/openapi/v1.json");
        Console.WriteLine($"  Webhooks: {url}/webhooks/distribution/<registry name>");
        Console.WriteLine(generated is null
            ? "  API token: as configured in Security:ApiTokens"
            : $"  API token (generated for this run; set Security__ApiTokens__0 to keep one): {generated}");
        var admin = app.Configuration["Standalone:GeneratedAdminToken"];
        Console.WriteLine(admin is null
            ? "  Admin token (dead-letter replay): as configured in Security:AdminTokens"
            : $"  Admin token (dead-letter replay; generated for this run; set Security__AdminTokens__0 to keep one): {admin}");
    }
}
