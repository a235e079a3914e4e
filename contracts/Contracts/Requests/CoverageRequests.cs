namespace ImageScanning.Contracts;

/// <summary>
/// Inspector's ListCoverage for one registry: its images (a page) and their repositories. Repository is an exact name,
/// or a prefix when it ends with '*'. ResourceType null: a page of images with the repositories on that page (the REST API);
/// AWS_ECR_CONTAINER_IMAGE: only the page of images; AWS_ECR_REPOSITORY: every repository once, in one answer (Inspector2's
/// ListCoverage pages repositories and images apart, so no repository repeats across pages).
/// </summary>
public sealed record ListCoverage(string Registry, string? Repository, int MaxResults, string? NextToken, string? ResourceType = null);

/// <summary>
/// One covered resource (INTERFACES §2.2): ResourceType AWS_ECR_CONTAINER_IMAGE (ImageDigest set) or AWS_ECR_REPOSITORY;
/// StatusCode ACTIVE | INACTIVE; Reason a ScanStatusReason (PENDING_INITIAL_SCAN, SUCCESSFUL, SCAN_FREQUENCY_MANUAL, ...);
/// LastPulledAt an image's last recorded pull (Inspector's imagePulledAt).
/// OsEndOfLife (not Inspector's): the end of life of the image's OS release as its last scan found it (docs/eol.md), and
/// OsEndOfLifeReached whether it is past, so an end-of-life base image stands out in coverage.
/// </summary>
public sealed record CoveredResource(
    string ResourceType, string ResourceId, string Registry, string Repository, string? ImageDigest, IReadOnlyList<string> ImageTags,
    ScanType ScanType, ScanFrequency ScanFrequency, string StatusCode, string Reason, DateTimeOffset? LastScannedAt, DateTimeOffset? PushedAt,
    DateTimeOffset? LastPulledAt = null, DateOnly? OsEndOfLife = null, bool OsEndOfLifeReached = false);

public sealed record CoverageResult(IReadOnlyList<CoveredResource> CoveredResources, string? NextToken, string? ErrorMessage = null);
