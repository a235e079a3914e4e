using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.ScanRouter.Rescanning;

/// <summary>
/// Applies <see cref="RescanEligibility"/> to catalogued images inside one unit of work: queues a RESCAN for the enhanced re-scan
/// queue, or expires the image (status SCAN_ELIGIBILITY_EXPIRED and one ScanEligibilityExpired), all in the work's outbox, so the
/// expiries and their messages commit together. Shared by the NewCveAdded consumer and the expiry sweep. Registry configurations
/// are read once per call. Metrics and logs wait for <see cref="Report"/>, after the commit: a rolled-back work counts nothing.
/// </summary>
public sealed class RescanFanOut(
    IImageCatalogStore catalog, IScanningConfigurationStore settings, RouterMetrics metrics, TimeProvider clock, ILogger<RescanFanOut> logger)
{
    /// <param name="Expired">Images past their window (expired now or before); <paramref name="NewlyExpired"/> the ones expired now.</param>
    public sealed record Result(int Sent, int NotEligible, int Expired, IReadOnlyList<ImageRef> NewlyExpired);

    /// <param name="sendRescans">False for the sweep: it only expires.</param>
    public async Task<Result> ApplyAsync(IEnumerable<ImageRecord> images, UnitOfWork work, bool sendRescans, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var catalogWork = catalog.In(work);
        var scanning = settings.In(work);
        var configurations = new Dictionary<string, (RegistryScanningConfiguration Scanning, EcrRescanConfiguration Rescan)>(StringComparer.Ordinal);
        var newlyExpired = new List<ImageRef>();
        int sent = 0, notEligible = 0, expired = 0;
        foreach (var image in images)
        {
            if (!configurations.TryGetValue(image.Registry, out var configuration))
            {
                configuration = (await scanning.GetConfigurationAsync(image.Registry, ct), (await scanning.GetRescanConfigurationAsync(image.Registry, ct)).Configuration);
                configurations[image.Registry] = configuration;
            }
            var imageRef = new ImageRef(image.Registry, image.Repository, image.Digest, image.Tags);
            switch (RescanEligibility.Evaluate(configuration.Scanning, configuration.Rescan, image, now))
            {
                case RescanOutcome.Rescan when sendRescans:
                    work.Send(QueueNames.EnhancedRescanner, new ScanImage(NewId.NextGuid(), imageRef, ScanType.ENHANCED, ScanTrigger.RESCAN, now));
                    sent++;
                    break;
                case RescanOutcome.Expire:
                    if (await catalogWork.TryExpireImageAsync(image.Registry, image.Repository, image.Digest, now, ct))
                    {
                        work.Publish(new ScanEligibilityExpired(imageRef, now));
                        newlyExpired.Add(imageRef);
                    }
                    expired++;
                    break;
                case RescanOutcome.Rescan:
                    break;
                default:
                    notEligible++;
                    break;
            }
        }
        return new Result(sent, notEligible, expired, newlyExpired);
    }

    /// <summary>Counts and logs a committed <see cref="ApplyAsync"/>; <paramref name="reason"/> names what caused it (an advisory, the sweep).</summary>
    public void Report(Result result, bool sendRescans, string reason)
    {
        metrics.Rescan("sent", result.Sent);
        metrics.ScanRequested(ScanType.ENHANCED, ScanTrigger.RESCAN, result.Sent);
        if (sendRescans) metrics.Rescan("not_eligible", result.NotEligible);
        metrics.Rescan("expired", result.Expired);
        foreach (var image in result.NewlyExpired)
            logger.LogInformation("{Repository}@{Digest} left its re-scan window ({Reason}): SCAN_ELIGIBILITY_EXPIRED", image.Repository, image.Digest, reason);
    }
}
