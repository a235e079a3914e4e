using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageScanning.ServiceDefaults.Http;

/// <summary>
/// Http: the hard cap on every request body a service reads, counted by Kestrel on the bytes received whatever the transfer
/// encoding (a chunked body included). Endpoints that take more (advisory uploads) or bound themselves (registry webhooks)
/// carry their own limit as endpoint metadata; everything else, JSON API bodies among them, is held to this one.
/// </summary>
public sealed class RequestBodyLimits
{
    public const string Section = "Http";

    /// <summary>The API's JSON bodies are a few KiB; 4 MiB leaves room for the largest (a registry's scanning configuration).</summary>
    public long MaxRequestBodyBytes { get; set; } = 4L << 20;
}

public static class RequestBodyLimitsExtensions
{
    public static IHostApplicationBuilder AddRequestBodyLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestBodyLimits>().BindConfiguration(RequestBodyLimits.Section)
            .Validate(l => l.MaxRequestBodyBytes > 0, $"{RequestBodyLimits.Section}:MaxRequestBodyBytes must be positive.");
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyLimits>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        return builder;
    }
}
