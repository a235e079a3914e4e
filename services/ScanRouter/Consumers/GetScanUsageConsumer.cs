using System.Globalization;
using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Rescanning;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>A registry's scans in one month, per repository, priced at Usage:InitialScanPriceUsd and Usage:RescanPriceUsd.</summary>
public sealed class GetScanUsageConsumer(IScanUsageStore usage, IOptions<UsageOptions> prices) : IConsumer<GetScanUsage>
{
    public async Task Consume(ConsumeContext<GetScanUsage> context)
    {
        var request = context.Message;
        // The Gateway validates the month; a malformed one here is a programming error, answered by a fault.
        var month = DateTime.ParseExact(request.Month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var counts = await usage.GetScanUsageAsync(request.Registry, month.Year, month.Month, context.CancellationToken);
        var initialPrice = prices.Value.InitialScanPriceUsd;
        var rescanPrice = prices.Value.RescanPriceUsd;
        var repositories = counts
            .Select(c => new RepositoryScanUsage(c.Repository, c.InitialScans, c.Rescans, c.InitialScans * initialPrice + c.Rescans * rescanPrice))
            .ToList();
        await context.RespondAsync(new ScanUsageResult(request.Registry, request.Month, repositories,
            repositories.Sum(r => r.InitialScans), repositories.Sum(r => r.Rescans), initialPrice, rescanPrice,
            repositories.Sum(r => r.EstimatedCostUsd)));
    }
}
