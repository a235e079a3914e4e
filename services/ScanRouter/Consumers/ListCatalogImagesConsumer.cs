using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>DescribeImages (and the image look-up of DescribeImageScanFindings): chosen images, or a page of the repository.</summary>
public sealed class ListCatalogImagesConsumer(IImageCatalogStore catalog) : IConsumer<ListCatalogImages>
{
    public async Task Consume(ConsumeContext<ListCatalogImages> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (!await catalog.RepositoryExistsAsync(m.Registry, m.Repository, ct))
        {
            await context.RespondAsync(new CatalogImagesResult(false, [], [], null));
            return;
        }
        if (m.Selectors is { Count: > 0 } selectors)
        {
            var images = new List<CatalogImage>();
            var notFound = new List<ImageSelector>();
            foreach (var selector in selectors)
            {
                var image = await catalog.FindAsync(m.Registry, m.Repository, selector, ct);
                if (image is null) notFound.Add(selector);
                else if (!images.Any(i => i.Digest == image.Digest)) images.Add(image.ToCatalogImage());
            }
            await context.RespondAsync(new CatalogImagesResult(true, images, notFound, null));
            return;
        }
        if (m.NextToken is not null && !ImagePageToken.IsValid(m.NextToken))
        {
            await context.RespondAsync(new CatalogImagesResult(true, [], [], null, InvalidNextToken: true));
            return;
        }
        var page = await catalog.ListRepositoryImagesAsync(m.Registry, m.Repository,
            new ImagePageRequest(Math.Clamp(m.MaxResults, 1, ImagePageRequest.MaxPageSize), m.NextToken), ct);
        await context.RespondAsync(new CatalogImagesResult(true, page.Images.Select(i => i.ToCatalogImage()).ToList(), [], page.NextToken));
    }
}
