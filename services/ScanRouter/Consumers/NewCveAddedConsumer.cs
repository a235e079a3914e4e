using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Rescanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// A new or changed advisory: one reverse-index query finds the images holding an affected package; each eligible one gets a
/// RESCAN (a re-match of its stored inventory, no pull) on the enhanced re-scan queue, each past its window expires.
/// </summary>
public sealed class NewCveAddedConsumer(IScanRouterStore store, RescanFanOut fanOut, ILogger<NewCveAddedConsumer> logger) : IConsumer<NewCveAdded>
{
    public async Task Consume(ConsumeContext<NewCveAdded> context)
    {
        var advisory = context.Message;
        var keys = (advisory.Packages ?? [])
            .Where(p => p is not null && !string.IsNullOrEmpty(p.Ecosystem) && !string.IsNullOrEmpty(p.Name))
            .Select(p => new ImagePackageKey(p.Ecosystem, p.Name))
            .ToList();
        if (keys.Count == 0) return;

        var holders = await store.FindImagesHoldingAsync(keys, context.CancellationToken);
        var images = new List<ImageRecord>(holders.Count);
        foreach (var key in holders)
        {
            if (await store.GetImageAsync(key.Registry, key.Repository, key.Digest, context.CancellationToken) is { } image) images.Add(image);
        }
        var counts = await fanOut.ApplyAsync(images, context, context, sendRescans: true, advisory.VulnerabilityId, context.CancellationToken);
        logger.LogInformation("{VulnerabilityId}: {Holders} images hold an affected package; {Sent} re-scans sent, {NotEligible} not eligible, {Expired} expired",
            advisory.VulnerabilityId, holders.Count, counts.Sent, counts.NotEligible, counts.Expired);
    }
}
