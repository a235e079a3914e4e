using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.ScanRouter.Consumers;

/// <summary>Catalog look-ups the ECR API and console consumers share.</summary>
internal static class CatalogImages
{
    public static CatalogImage ToCatalogImage(this ImageRecord image) => new(
        image.Repository, image.Digest, image.Tags, image.MediaType, image.PushedAt, image.ScanStatus, image.ScanStatusDescription, image.ScanStatusAt);

    /// <summary>
    /// Whether the repository exists: holding a catalogued image (one-row look-up first: the usual case on hot paths), or created
    /// by CreateRepository.
    /// </summary>
    public static async Task<bool> RepositoryExistsAsync(this IImageCatalogStore catalog, string registry, string repository, CancellationToken ct) =>
        (await catalog.ListRepositoryImagesAsync(registry, repository, new ImagePageRequest(1), ct)).Images.Count > 0
        || await catalog.GetRepositoryAsync(registry, repository, ct) is not null;

    /// <summary>The image a selector names: by digest (and then its tag must match, when given), else by tag.</summary>
    public static async Task<ImageRecord?> FindAsync(this IImageCatalogStore catalog, string registry, string repository, ImageSelector selector, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(selector.Digest))
        {
            var image = await catalog.GetImageAsync(registry, repository, selector.Digest, ct);
            return image is not null && (string.IsNullOrEmpty(selector.Tag) || image.Tags.Contains(selector.Tag)) ? image : null;
        }
        return string.IsNullOrEmpty(selector.Tag) ? null : await catalog.FindImageByTagAsync(registry, repository, selector.Tag, ct);
    }

    /// <summary>DescribeRepositories: the catalog's repositories (created, or at their first push) with their legacy scanOnPush.</summary>
    public static async Task<IReadOnlyList<CatalogRepository>> ListCatalogRepositoriesAsync(
        this IImageCatalogStore catalog, IScanningConfigurationStore configuration, string registry, CancellationToken ct)
    {
        var repositories = await catalog.ListRepositorySummariesAsync(registry, ct);
        var scanOnPush = await configuration.ListScanOnPushRepositoriesAsync(registry, ct);
        return repositories.Select(r => r.ToCatalogRepository(scanOnPush.Contains(r.Name))).ToList();
    }

    public static CatalogRepository ToCatalogRepository(this CatalogRepositoryRecord repository, bool scanOnPush) =>
        new(repository.Name, repository.CreatedAt, scanOnPush, repository.ImageTagMutability);
}
