using System.Globalization;
using System.Threading.RateLimiting;
using ImageScanning.ServiceDefaults.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Webhooks;

/// <summary>
/// Registry webhooks limited per registry and per token (ASP.NET Core's rate limiter, two chained partitioned fixed windows):
/// over either limit the notification is answered 429 with Retry-After, logged and counted (reason <c>rate_limited</c>). 429,
/// unlike a 413, is right for a webhook: the registry retries it with its backoff and the notification is then accepted, so
/// nothing is lost. Other routes are not limited here.
/// </summary>
public static class WebhookRateLimiting
{
    public const string WebhookPrefix = "/webhooks";

    public static IHostApplicationBuilder AddWebhookRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookRateLimitOptions>().BindConfiguration(WebhookRateLimitOptions.Section)
            .Validate(o => o.Problem() is null, "Gateway:Webhooks:RateLimit: PermitsPerRegistry and PermitsPerToken must be at least 1, Window positive.")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebhookRateLimitOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Partitioned(limits, limits.PermitsPerRegistry, context => "registry:" + RegistryOf(context)),
                Partitioned(limits, limits.PermitsPerToken, TokenOf));
            limiter.OnRejected = OnRejectedAsync;
        });
        return builder;
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(WebhookRateLimitOptions limits, int permits, Func<HttpContext, string> key) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => IsWebhook(context)
            ? RateLimitPartition.GetFixedWindowLimiter(key(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits, Window = limits.Window, QueueLimit = 0, AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(""));

    private static bool IsWebhook(HttpContext context) => context.Request.Path.StartsWithSegments(WebhookPrefix);

    private static string RegistryOf(HttpContext context) => context.GetRouteValue("registry") as string ?? "";

    // The holder's name, never the secret (IWebhookAuthentication.Partition), as the route's format presents it.
    private static string TokenOf(HttpContext context)
    {
        var services = context.RequestServices;
        var format = services.GetRequiredService<WebhookFormats>().Find(context.GetRouteValue("format") as string ?? "");
        if (format is null) return "unknown";
        var registry = services.GetRequiredService<ConfiguredRegistries>().Find(RegistryOf(context));
        return format.Authentication.Partition(registry, context.Request, services.GetRequiredService<ConfiguredTokens>());
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var limits = context.RequestServices.GetRequiredService<IOptions<WebhookRateLimitOptions>>().Value;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limits.Window;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.RequestServices.GetRequiredService<GatewayMetrics>().WebhookRejected("rate_limited");
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ImageScanning.Gateway.Webhooks").LogWarning(
            "Rate limited a notification from registry {Registry} ({Section}: {PerRegistry} per registry, {PerToken} per token, per {Window}); the registry sends it again",
            RegistryOf(context), WebhookRateLimitOptions.Section, limits.PermitsPerRegistry, limits.PermitsPerToken, limits.Window);
        await context.Response.WriteAsJsonAsync(new
        {
            message = $"Too many notifications: at most {limits.PermitsPerRegistry} per registry and {limits.PermitsPerToken} per token every {limits.Window} " +
                $"({WebhookRateLimitOptions.Section}). Send it again after Retry-After.",
        }, cancellationToken);
    }
}
