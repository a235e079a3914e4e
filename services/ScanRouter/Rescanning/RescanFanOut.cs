using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using MassTransit;

namespace ImageScanning.ScanRouter.Rescanning;

/// <summary>
/// Applies <see cref="RescanEligibility"/> to catalogued images: sends a RESCAN to the enhanced re-scan queue, or expires the image
/// (status SCAN_ELIGIBILITY_EXPIRED and one ScanEligibilityExpired). Shared by the NewCveAdded consumer and the expiry sweep.
/// Registry configurations are read once per call.
/// </summary>
public sealed class RescanFanOut(IScanRouterStore store, RouterMetrics metrics, TimeProvider clock, ILogger<RescanFanOut> logger)
{
    public sealed record Counts(int Sent, int NotEligible, int Expired);

    /// <param name="sendRescans">False for the sweep: it only expires.</param>
    public async Task<Counts> ApplyAsync(
        IEnumerable<ImageRecord> images, ISendEndpointProvider sender, IPublishEndpoint publisher, bool sendRescans, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var configurations = new Dictionary<string, (RegistryScanningConfiguration Scanning, EcrRescanConfiguration Rescan)>(StringComparer.Ordinal);
        ISendEndpoint? queue = null;
        int sent = 0, notEligible = 0, expired = 0;
        foreach (var image in images)
        {
            if (!configurations.TryGetValue(image.Registry, out var configuration))
            {
                configuration = (await store.GetConfigurationAsync(image.Registry, ct), (await store.GetRescanConfigurationAsync(image.Registry, ct)).Configuration);
                configurations[image.Registry] = configuration;
            }
            switch (RescanEligibility.Evaluate(configuration.Scanning, configuration.Rescan, image, now))
            {
                case RescanOutcome.Rescan when sendRescans:
                    queue ??= await sender.GetSendEndpoint(QueueNames.For(QueueNames.EnhancedRescanner));
                    await queue.Send(new ScanImage(NewId.NextGuid(), new ImageRef(image.Registry, image.Repository, image.Digest, image.Tags),
                        ScanType.ENHANCED, ScanTrigger.RESCAN, now), ct);
                    metrics.Rescan("sent");
                    metrics.ScanRequested(ScanType.ENHANCED, ScanTrigger.RESCAN);
                    sent++;
                    break;
                case RescanOutcome.Expire:
                    if (await store.TryExpireImageAsync(image.Registry, image.Repository, image.Digest, now, ct))
                    {
                        await publisher.Publish(new ScanEligibilityExpired(new ImageRef(image.Registry, image.Repository, image.Digest, image.Tags), now), ct);
                        logger.LogInformation("{Repository}@{Digest} left its re-scan window ({Reason}): SCAN_ELIGIBILITY_EXPIRED", image.Repository, image.Digest, reason);
                    }
                    metrics.Rescan("expired");
                    expired++;
                    break;
                case RescanOutcome.Rescan:
                    break;
                default:
                    if (sendRescans) metrics.Rescan("not_eligible");
                    notEligible++;
                    break;
            }
        }
        return new Counts(sent, notEligible, expired);
    }
}
