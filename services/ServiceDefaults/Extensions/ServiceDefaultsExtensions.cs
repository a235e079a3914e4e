using ImageScanning.ServiceDefaults.Aws;
using ImageScanning.ServiceDefaults.Http;
using ImageScanning.ServiceDefaults.Security;
using ImageScanning.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ImageScanning.ServiceDefaults.Extensions;

/// <summary>What every service shares: telemetry, health checks, authentication, the AWS identity (eShop's ServiceDefaults).</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The meter and activity source names the platform's own instrumentation uses.</summary>
    public const string TelemetryPrefix = "ImageScanning";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(t => t
                .AddSource(TelemetryPrefix + ".*")
                .AddSource("MassTransit")
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsInfrastructurePath(ctx.Request.Path))
                .AddHttpClientInstrumentation())
            .WithMetrics(m => m
                .AddMeter(TelemetryPrefix + ".*")
                .AddMeter("MassTransit")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);

        builder.AddApiAuthentication();
        builder.AddAwsAccount();
        builder.AddRequestBodyLimits();
        builder.AddRedactedRequestLog();
        return builder;
    }

    /// <summary>/health/live, /health/ready (anonymous, they reveal nothing) and /metrics (the metrics scope only).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseRedactedRequestLog();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") || c.Tags.Contains("live") }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireScope(TokenScopes.Metrics);
        return app;
    }

    private static bool IsInfrastructurePath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
