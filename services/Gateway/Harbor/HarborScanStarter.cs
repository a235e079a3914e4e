using ImageScanning.Contracts;
using ImageScanning.Gateway.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Harbor;

/// <summary>
/// Turns a ScanRequest into a scan through the platform's normal path: the manual scan the ECR API's StartImageScan asks
/// ScanRouter for (quota, scanning rules and all). An artifact the catalog has not heard of (Harbor sent no push webhook for it)
/// is first recorded as pushed through the Gateway's outbox, as a registry notification would be, and the manual scan is asked
/// again until the catalog has it. The id says from when a result answers this request: a scan started now, or the latest result
/// when no new scan will come (the 24-hour quota is spent or the registry scans ENHANCED; continuous re-scans keep it current).
/// </summary>
public sealed class HarborScanStarter(
    IRequestClient<StartManualScan> scans,
    [FromKeyedServices(GatewayExtensions.DatabaseName)] IServiceDatabase database,
    IOptions<HarborOptions> options,
    TimeProvider clock,
    ILogger<HarborScanStarter> logger)
{
    public const string DeliveryPrefix = "harbor-scan:";

    /// <summary>
    /// How much earlier than the request a result may have completed and still answer it: the scanner's clock is not the
    /// Gateway's. A scan that started before the request cannot slip in through it: the catalog reports it running until its
    /// result is stored, and a running scan is always "not ready".
    /// </summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(1);

    public async Task<HarborScanRequestId> StartAsync(string registry, HarborScanRequest request, CancellationToken ct)
    {
        var accepted = clock.GetUtcNow();
        var outcome = await AskAsync(registry, request, ct);
        var since = accepted - ClockSkewAllowance;
        if (outcome.Outcome is ManualScanOutcome.REPOSITORY_NOT_FOUND or ManualScanOutcome.IMAGE_NOT_FOUND)
        {
            await RecordPushAsync(registry, request, accepted, ct);
            outcome = await WaitForCatalogAsync(registry, request, ct);
        }
        else if (outcome.Outcome is ManualScanOutcome.QUOTA_EXCEEDED or ManualScanOutcome.ENHANCED_SCANNING)
        {
            since = DateTimeOffset.UnixEpoch;
        }

        logger.LogInformation("Harbor scan request for {Registry}/{Repository}@{Digest}: {Outcome}",
            registry, request.Repository, request.Digest, outcome.Outcome);
        return outcome.Outcome switch
        {
            ManualScanOutcome.STARTED or ManualScanOutcome.QUOTA_EXCEEDED or ManualScanOutcome.ENHANCED_SCANNING => new HarborScanRequestId(
                registry, request.Repository, request.Digest, request.Tag, request.MimeType ?? outcome.Image?.MediaType,
                accepted.ToUnixTimeMilliseconds(), since.ToUnixTimeMilliseconds()),
            ManualScanOutcome.UNSUPPORTED_IMAGE_TYPE => throw HarborException.InvalidField(
                $"artifact.digest {request.Digest} names an image index (manifest list): ask for each platform image's digest."),
            ManualScanOutcome.REPOSITORY_NOT_FOUND or ManualScanOutcome.IMAGE_NOT_FOUND => throw new HarborException(
                StatusCodes.Status500InternalServerError,
                $"The platform's catalog did not take {request.Repository}@{request.Digest} within {options.Value.CatalogWait}; try again."),
            _ => throw new HarborException(StatusCodes.Status500InternalServerError, $"Unexpected scan outcome {outcome.Outcome}."),
        };
    }

    private async Task<ManualScanResult> AskAsync(string registry, HarborScanRequest request, CancellationToken ct) =>
        (await scans.GetResponse<ManualScanResult>(new StartManualScan(registry, request.Repository, new ImageSelector(request.Digest, null)), ct)).Message;

    /// <summary>
    /// An ImagePushed for the artifact, stored in the outbox in one transaction like a webhook's events. Its message id is derived
    /// from the artifact, so two Harbor requests for one unknown artifact record it once.
    /// </summary>
    private async Task RecordPushAsync(string registry, HarborScanRequest request, DateTimeOffset at, CancellationToken ct)
    {
        var deliveryId = DeliveryPrefix + request.Repository + "@" + request.Digest;
        var messageId = MessageIdOf(registry, deliveryId);
        await using var work = await database.BeginAsync(ct);
        if (await work.TryMarkHandledAsync("HarborScanner", messageId, ct))
            work.Publish(new ImagePushed(deliveryId, registry, request.Repository, request.Digest, request.Tag,
                request.MimeType ?? HarborMediaTypes.OciManifest, at), messageId);
        await work.CommitAsync(ct);
    }

    private async Task<ManualScanResult> WaitForCatalogAsync(string registry, HarborScanRequest request, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + options.Value.CatalogWait;
        while (true)
        {
            var outcome = await AskAsync(registry, request, ct);
            if (outcome.Outcome is not (ManualScanOutcome.REPOSITORY_NOT_FOUND or ManualScanOutcome.IMAGE_NOT_FOUND) || clock.GetUtcNow() >= deadline)
                return outcome;
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, ct);
        }
    }

    private static Guid MessageIdOf(string registry, string deliveryId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"harbor\n{registry}\n{deliveryId}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}
