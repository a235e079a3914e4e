using System.Security.Cryptography;
using ImageScanning.BasicScanner.Extensions;
using ImageScanning.CveFeed.Extensions;
using ImageScanning.EnhancedScanner.Extensions;
using ImageScanning.Findings.Extensions;
using ImageScanning.Gateway.Extensions;
using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Security;
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

    /// <summary>
    /// A first run with no configuration still gets an authenticated API: tokens made for this run, printed once. One for the
    /// API (read, write and metrics: the one user of a laptop's platform) unless a token with read or write is configured, one
    /// for admin unless an admin token is.
    /// </summary>
    private static void EnsureApiToken(this WebApplicationBuilder builder)
    {
        var configured = ConfiguredTokens.From(builder.Configuration);
        if (!configured.AnyWith(TokenScopes.Read) && !configured.AnyWith(TokenScopes.Write))
            AddToken(builder, "Standalone:GeneratedApiToken", "generated-api", TokenScopes.Read, TokenScopes.Write, TokenScopes.Metrics);
        if (!configured.AnyWith(TokenScopes.Admin))
            AddToken(builder, "Standalone:GeneratedAdminToken", "generated-admin", TokenScopes.Admin);
    }

    private static void AddToken(WebApplicationBuilder builder, string generatedKey, string name, params string[] scopes)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var index = builder.Configuration.GetSection(ConfiguredTokens.Section).GetChildren().Count();
        var key = $"{ConfiguredTokens.Section}:{index}";
        builder.Configuration[key + ":Name"] = name;
        builder.Configuration[key + ":Token"] = token;
        for (var i = 0; i < scopes.Length; i++) builder.Configuration[$"{key}:Scopes:{i}"] = scopes[i];
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
        Console.WriteLine($"  Webhooks: {url}/webhooks/<format>/<registry name> (format: distribution, harbor, quay, ghcr, dockerhub, zot)");
        Console.WriteLine(generated is null
            ? "  API token: as configured in Security:Tokens (or Security:ApiTokens)"
            : $"  API token (read, write, metrics; generated for this run; set Security__Tokens__0__Token and its Scopes to keep one): {generated}");
        var admin = app.Configuration["Standalone:GeneratedAdminToken"];
        Console.WriteLine(admin is null
            ? "  Admin token (dead-letter replay): as configured in Security:Tokens (or Security:AdminTokens)"
            : $"  Admin token (dead-letter replay; generated for this run; set a Security__Tokens__N with the admin scope to keep one): {admin}");
    }
}
