using ImageScanning.Contracts;
using ImageScanning.Gateway.Ecr.Operations;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ImageScanning.Gateway.Harbor;

/// <summary>Where a scan request's report stands: not ours (404), still coming (302), failed (500), or ready with its findings.</summary>
public abstract record HarborReportState
{
    public sealed record Unknown : HarborReportState;

    public sealed record Pending : HarborReportState;

    public sealed record Failed(string Message) : HarborReportState;

    public sealed record Ready(ImageFindingsResult Findings) : HarborReportState;
}

/// <summary>
/// Reads a request's result as the ECR API's DescribeImageScanFindings does: the image's status from ScanRouter's catalog, its
/// latest result from Findings (a scan the catalog calls finished is pending until Findings holds it). A result counts once it
/// completed at or after the id's ResultSince; a scan that ended FAILED (or UNSUPPORTED_IMAGE) is this request's error.
/// </summary>
public sealed class HarborReportReader(
    IRequestClient<ListCatalogImages> catalog, IRequestClient<GetImageFindings> findings, IOptions<HarborOptions> options, TimeProvider clock)
{
    public async Task<HarborReportState> ReadAsync(HarborScanRequestId id, CancellationToken ct)
    {
        var images = (await catalog.GetResponse<CatalogImagesResult>(
            new ListCatalogImages(id.Registry, id.Repository, [new ImageSelector(id.Digest, null)], 1, null), ct)).Message;
        if (images.Images.FirstOrDefault() is not { } image) return new HarborReportState.Unknown();
        var result = (await findings.GetResponse<ImageFindingsResult>(new GetImageFindings(id.Registry, id.Repository, id.Digest), ct)).Message;
        var (status, description) = ScanFindingsOperation.EffectiveStatus(image, result);
        var current = status is not null and not ScanStatus.IN_PROGRESS && result.Found && result.ScanCompletedAt >= id.ResultSince;
        if (!current)
        {
            var waited = clock.GetUtcNow() - id.AcceptedAt;
            return waited > options.Value.ReportTimeout
                ? new HarborReportState.Failed($"The scan of {id.Repository}@{id.Digest} requested at {id.AcceptedAt:O} has not finished within {options.Value.ReportTimeout}.")
                : new HarborReportState.Pending();
        }
        return status switch
        {
            ScanStatus.COMPLETE or ScanStatus.ACTIVE => new HarborReportState.Ready(result),
            _ => new HarborReportState.Failed($"The scan of {id.Repository}@{id.Digest} ended {status}: {description ?? "no description"}"),
        };
    }
}
