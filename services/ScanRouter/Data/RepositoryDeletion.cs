using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Data;

/// <summary>What <see cref="IImageCatalogStore.DeleteRepositoryAsync"/> did: the repository as it was, and the images it removed.</summary>
public sealed record RepositoryDeletion(RepositoryDeletionOutcome Outcome, CatalogRepositoryRecord? Repository, IReadOnlyList<ImageRecord> Images);
