namespace ImageScanning.Contracts;

// Requests the ECR-compatible API sends to ScanRouter, which owns the catalog, the rules and the basic-scan quota.
// ECR's wording of errors stays in the Gateway; these answers say what happened, not how ECR phrases it.

/// <summary>An image named by digest or tag (ECR ImageIdentifier); at least one is set.</summary>
public sealed record ImageSelector(string? Digest, string? Tag);

/// <summary>An image of the catalog as DescribeImages shows it.</summary>
public sealed record CatalogImage(
    string Repository,
    string Digest,
    IReadOnlyList<string> Tags,
    string MediaType,
    DateTimeOffset PushedAt,
    ScanStatus? ScanStatus,
    string? ScanStatusDescription,
    DateTimeOffset? ScanStatusAt);

/// <summary>Images of one repository: the ones selected, or one page of all of them.</summary>
public sealed record ListCatalogImages(string Registry, string Repository, IReadOnlyList<ImageSelector>? Selectors, int MaxResults, string? NextToken);

/// <summary>
/// <see cref="RepositoryFound"/> false when the catalog holds neither an image of the repository nor a created entry; <see cref="NotFound"/> the
/// selectors that named no image; <see cref="InvalidNextToken"/> when the token was not one we issued.
/// </summary>
public sealed record CatalogImagesResult(
    bool RepositoryFound, IReadOnlyList<CatalogImage> Images, IReadOnlyList<ImageSelector> NotFound, string? NextToken, bool InvalidNextToken = false);

/// <summary>
/// A repository of the catalog: created by CreateRepository or by its first push (then <see cref="CreatedAt"/> is that push);
/// its legacy scanOnPush setting and the imageTagMutability it was created with (MUTABLE for one created by a push).
/// </summary>
public sealed record CatalogRepository(string Name, DateTimeOffset CreatedAt, bool ScanOnPush, string ImageTagMutability = "MUTABLE");

public sealed record ListCatalogRepositories(string Registry);

public sealed record CatalogRepositoriesResult(IReadOnlyList<CatalogRepository> Repositories);

/// <summary>The effective scanning of each named repository under the registry's rules and its legacy setting.</summary>
public sealed record GetRepositoryScanning(string Registry, IReadOnlyList<string> Repositories);

public sealed record RepositoryScanningSummary(
    string Repository, bool ScanOnPush, ScanFrequency ScanFrequency, IReadOnlyList<ScanningRepositoryFilter> AppliedScanFilters);

public sealed record RepositoryScanningResult(IReadOnlyList<RepositoryScanningSummary> Repositories, IReadOnlyList<string> NotFound);

/// <summary>ECR's legacy per-repository setting (PutImageScanningConfiguration).</summary>
public sealed record PutRepositoryScanOnPush(string Registry, string Repository, bool ScanOnPush);

public sealed record PutRepositoryScanOnPushResult(bool RepositoryFound);

/// <summary>A manual scan (StartImageScan).</summary>
public sealed record StartManualScan(string Registry, string Repository, ImageSelector Image);

#pragma warning disable CA1707
public enum ManualScanOutcome { STARTED, REPOSITORY_NOT_FOUND, IMAGE_NOT_FOUND, QUOTA_EXCEEDED, ENHANCED_SCANNING, UNSUPPORTED_IMAGE_TYPE }
#pragma warning restore CA1707

public sealed record ManualScanResult(ManualScanOutcome Outcome, CatalogImage? Image, ScanStatus? Status, string? StatusDescription);
