using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ServiceDefaults.Telemetry;

/// <summary>
/// One log line per request with its method, path, status and duration, and never its query string: a query may carry a token
/// (<c>?access_token=</c>, a pagination token, a signed URL), so it is logged as "?(redacted)". ASP.NET Core's own request lines
/// (Microsoft.AspNetCore.Hosting.Diagnostics, which print the whole URL) are raised to Warning in its place. No route of the
/// platform carries a secret in its path (the registry webhook's path names the registry; its token is a header).
/// </summary>
public static class RedactedRequestLog
{
    public const string Category = "ImageScanning.Requests";
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IHostApplicationBuilder AddRedactedRequestLog(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddFilter(HostingDiagnostics, LogLevel.Warning);
        return builder;
    }

    public static IApplicationBuilder UseRedactedRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                if (!IsInfrastructure(context.Request.Path) && logger.IsEnabled(LogLevel.Information))
                    logger.LogInformation("HTTP {Method} {Path}{Query} answered {StatusCode} in {ElapsedMilliseconds:0} ms",
                        context.Request.Method, context.Request.Path.Value, Redacted(context.Request.QueryString),
                        context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    /// <summary>"" or "?(redacted)": whether there was a query, never what it said.</summary>
    public static string Redacted(QueryString query) => query.HasValue ? "?(redacted)" : "";

    // Health probes and scrapes every few seconds would drown the requests that matter.
    private static bool IsInfrastructure(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
