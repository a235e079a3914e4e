using System.Globalization;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Webhooks;
using MassTransit;

namespace ImageScanning.Gateway.Apis;

/// <summary>Scans completed per repository in one month (UTC) and what ENHANCED scanning would have cost; ScanRouter counts them.</summary>
public static class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder api)
    {
        api.MapGet("/registries/{registry}/usage", GetUsage).WithTags("Usage");
        return api;
    }

    private static async Task<IResult> GetUsage(
        string registry, string? month, ConfiguredRegistries registries, TimeProvider clock, IRequestClient<GetScanUsage> client, CancellationToken ct)
    {
        if (!registries.Contains(registry)) return ApiErrors.RegistryNotFound(registry);
        string normalised;
        if (string.IsNullOrEmpty(month))
        {
            normalised = clock.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture);
        }
        else if (DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && parsed.Year >= 2000)
        {
            normalised = parsed.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        }
        else
        {
            return ApiErrors.Error("ValidationException", $"month must be a calendar month as YYYY-MM, not '{month}'.");
        }
        var response = await client.GetResponse<ScanUsageResult>(new GetScanUsage(registry, normalised), ct);
        return Results.Ok(response.Message);
    }
}
