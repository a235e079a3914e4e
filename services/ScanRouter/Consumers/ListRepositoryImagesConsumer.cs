using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>One page of a repository's images from the catalog; a bad page size or token is an answer, not a fault.</summary>
public sealed class ListRepositoryImagesConsumer(IImageCatalogStore catalog) : IConsumer<ListRepositoryImages>
{
    public async Task Consume(ConsumeContext<ListRepositoryImages> context)
    {
        var request = context.Message;
        if (request.MaxResults is < 1 or > ImagePageRequest.MaxPageSize)
        {
            await context.RespondAsync(Error($"maxResults must be between 1 and {ImagePageRequest.MaxPageSize}."));
            return;
        }
        if (request.NextToken is not null && !ImagePageToken.IsValid(request.NextToken))
        {
            await context.RespondAsync(Error("Invalid NextToken."));
            return;
        }

        var page = await catalog.ListRepositoryImagesAsync(
            request.Registry, request.Repository, new ImagePageRequest(request.MaxResults, request.NextToken), context.CancellationToken);
        var images = page.Images
            .Select(i => i.ToCatalogImage())
            .ToList();
        await context.RespondAsync(new RepositoryImagesResult(images, page.NextToken, null, null));
    }

    private static RepositoryImagesResult Error(string message) => new([], null, "InvalidParameterException", message);
}
