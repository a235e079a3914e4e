namespace ImageScanning.Contracts;

// CreateRepository and DeleteRepository of the ECR-compatible API. ScanRouter owns the catalog, so it creates and removes the
// entries; the Gateway phrases the answers as ECR does.

/// <summary>Creates an (empty) catalog entry; <paramref name="ScanOnPush"/> is stored as the repository's legacy setting.</summary>
public sealed record CreateCatalogRepository(string Registry, string Repository, bool ScanOnPush, string ImageTagMutability);

/// <param name="Created">False when the repository already exists (created before, or holding pushed images).</param>
/// <param name="Repository">The repository as stored, or the existing one when <paramref name="Created"/> is false.</param>
public sealed record CreateCatalogRepositoryResult(bool Created, CatalogRepository Repository);

/// <summary>Removes a repository's catalog entry and, with <paramref name="Force"/>, its images (their findings close).</summary>
public sealed record DeleteCatalogRepository(string Registry, string Repository, bool Force);

#pragma warning disable CA1707
public enum RepositoryDeletionOutcome { DELETED, NOT_FOUND, NOT_EMPTY }
#pragma warning restore CA1707

/// <param name="Repository">The repository as it was (null when not found).</param>
/// <param name="ImagesDeleted">How many catalogued images were removed with it.</param>
public sealed record DeleteCatalogRepositoryResult(RepositoryDeletionOutcome Outcome, CatalogRepository? Repository, int ImagesDeleted);
