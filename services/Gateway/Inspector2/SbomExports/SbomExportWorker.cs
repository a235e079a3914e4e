using System.Text.Json.Nodes;
using ImageScanning.Contracts;
using ImageScanning.Gateway.Inspector2.Coverage;

namespace ImageScanning.Gateway.Inspector2.SbomExports;

/// <summary>
/// Runs the queued SBOM exports one at a time: lists the images the criteria select across the account's registries (the same
/// coverage ListCoverage walks), asks Findings for each scanned image's SBOM, and writes one object per image:
/// <c>{keyPrefix}/SBOM_EXPORT_{reportId}/{accountId}/{repository}/{digest hex}.json</c>. An image without a scanned inventory is
/// skipped; an export that wrote nothing FAILED with NO_FINDINGS_FOUND.
/// </summary>
public sealed class SbomExportWorker(SbomExportQueue exports, IServiceProvider services, IHttpClientFactory clients, ILogger<SbomExportWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in exports.Queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                var written = await RunAsync(job, stoppingToken);
                exports.Update(job.ReportId, r => written == 0
                    ? r.Fail("NO_FINDINGS_FOUND", "No scanned container image matched resourceFilterCriteria.")
                    : r with { Status = SbomExportReport.Succeeded, Written = written });
                logger.LogInformation("SBOM export {ReportId}: {Count} documents written to bucket {Bucket}", job.ReportId, written, job.Destination.BucketName);
            }
            catch (SbomExportException e)
            {
                exports.Update(job.ReportId, r => r.Fail(e.ErrorCode, e.Message));
                logger.LogWarning("SBOM export {ReportId} failed: {ErrorCode} {Message}", job.ReportId, e.ErrorCode, e.Message);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                exports.Update(job.ReportId, r => r.Fail("INTERNAL_ERROR", "The export failed: " + e.Message));
                logger.LogError(e, "SBOM export {ReportId} failed", job.ReportId);
            }
        }
    }

    private async Task<int> RunAsync(SbomExportJob job, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var call = new Inspector2Call(new Inspector2Request(new JsonObject()), scope.ServiceProvider, ct);
        var criteria = CoverageCriteria.ParseResourceFilter(job.Criteria.Value);
        var images = (await new CoverageWalk(call, criteria).AllAsync()).Where(i => i.Resource.ImageDigest is not null).ToList();
        var report = exports.Get(job.ReportId)!;
        var target = new SbomExportTarget(job.Destination, clients);
        var written = 0;
        foreach (var image in images)
        {
            var r = image.Resource;
            var sbom = await call.AskAsync<GetImageSbom, ImageSbomResult>(new GetImageSbom(r.Registry, r.Repository, r.ImageDigest!, report.DocumentFormat));
            if (sbom is not { Found: true, Json: { } json }) continue;
            var key = $"{job.KeyPrefix}SBOM_EXPORT_{job.ReportId}/{image.AccountId}/{r.Repository}/{r.ImageDigest!.Replace("sha256:", "", StringComparison.Ordinal)}.json";
            await target.WriteAsync(key, json, ct);
            written++;
        }
        return written;
    }
}
