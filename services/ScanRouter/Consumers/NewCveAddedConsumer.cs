using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Rescanning;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>
/// A new or changed advisory: one reverse-index query finds the images holding an affected package; each eligible one gets a
/// RESCAN (a re-match of its stored inventory, no pull) on the enhanced re-scan queue, each past its window expires. The
/// advisory's expiries, ScanEligibilityExpired events and RESCAN sends commit in one unit of work, once per message.
/// </summary>
public sealed class NewCveAddedConsumer(
    [FromKeyedServices(ScanRouterDatabase.Name)] IServiceDatabase database,
    IPackageIndexStore packageIndex,
    IImageCatalogStore catalog,
    RescanFanOut fanOut,
    ILogger<NewCveAddedConsumer> logger)
    : IConsumer<NewCveAdded>
{
    public async Task Consume(ConsumeContext<NewCveAdded> context)
    {
        var advisory = context.Message;
        var ct = context.CancellationToken;
        var keys = (advisory.Packages ?? [])
            .Where(p => p is not null && !string.IsNullOrEmpty(p.Ecosystem) && !string.IsNullOrEmpty(p.Name))
            .Select(p => new ImagePackageKey(p.Ecosystem, p.Name))
            .ToList();
        if (keys.Count == 0) return;
        // A redelivery skips the reads below; the mark inside the unit of work decides.
        if (context.MessageId is { } messageId &&
            await database.Outbox.IsHandledAsync(ConsumerUnitOfWork.ConsumerName<NewCveAddedConsumer>(), messageId, ct)) return;

        // Read before the unit of work, which holds the write lock: the expiries it writes are conditional anyway.
        var holders = await packageIndex.FindImagesHoldingAsync(keys, ct);
        var images = new List<ImageRecord>(holders.Count);
        foreach (var key in holders)
        {
            if (await catalog.GetImageAsync(key.Registry, key.Repository, key.Digest, ct) is { } image) images.Add(image);
        }

        await using var work = await database.BeginAsync<NewCveAddedConsumer>(context);
        if (work.AlreadyHandled) return;
        var result = await fanOut.ApplyAsync(images, work, sendRescans: true, ct);
        await work.CommitAsync<NewCveAddedConsumer>(context);
        fanOut.Report(result, sendRescans: true, advisory.VulnerabilityId);
        logger.LogInformation("{VulnerabilityId}: {Holders} images hold an affected package; {Sent} re-scans sent, {NotEligible} not eligible, {Expired} expired",
            advisory.VulnerabilityId, holders.Count, result.Sent, result.NotEligible, result.Expired);
    }
}
