using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>Severity counts of the latest scan of each image on a console page: one bus round trip for the whole page.</summary>
public sealed class GetImageSeverityCountsConsumer(IFindingsStore store) : IConsumer<GetImageSeverityCounts>
{
    /// <summary>The catalog's largest page; a larger request is cut here rather than letting one call read the whole store.</summary>
    public const int MaxImages = 1000;

    public async Task Consume(ConsumeContext<GetImageSeverityCounts> context)
    {
        var request = context.Message;
        var counts = new List<ImageSeverityCounts>();
        foreach (var digest in request.Digests.Distinct(StringComparer.Ordinal).Take(MaxImages))
        {
            var scan = await store.GetLatestScanAsync(request.Registry, request.Repository, digest, context.CancellationToken);
            counts.Add(scan is null
                ? new ImageSeverityCounts(digest, false, null, null, new Dictionary<FindingSeverity, int>())
                : new ImageSeverityCounts(digest, true, scan.Status, scan.CompletedAt, scan.FindingSeverityCounts));
        }
        await context.RespondAsync(new ImageSeverityCountsResult(counts));
    }
}
