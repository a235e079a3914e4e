namespace ImageScanning.Contracts;

/// <summary>The catalogued repositories of a registry, each with its effective scanning under the stored rules.</summary>
public sealed record ListRepositories(string Registry);

/// <param name="ScanningEnabled">False only under ENHANCED for a repository no rule selects ("Scanning off").</param>
/// <param name="AppliedScanFilters">The filters of the winning rule that select the repository.</param>
public sealed record RepositorySummary(
    string RepositoryName,
    ScanType ScanType,
    ScanFrequency ScanFrequency,
    bool ScanningEnabled,
    bool ScanOnPush,
    IReadOnlyList<ScanningRepositoryFilter> AppliedScanFilters,
    int ImageCount,
    DateTimeOffset? LastPushedAt);

public sealed record RepositoriesResult(IReadOnlyList<RepositorySummary> Repositories);

/// <summary>One page of a repository's images (keyset paging by digest); NextToken comes from the previous page.</summary>
public sealed record ListRepositoryImages(string Registry, string Repository, int MaxResults, string? NextToken);

/// <summary>A page of images (<see cref="CatalogImage"/>, shared with the ECR API), or an ECR-style error (InvalidParameterException for a bad page size or token).</summary>
public sealed record RepositoryImagesResult(IReadOnlyList<CatalogImage> Images, string? NextToken, string? ErrorType, string? ErrorMessage);

/// <summary>The severity counts of the latest scan of each named image of one repository, in one round trip.</summary>
public sealed record GetImageSeverityCounts(string Registry, string Repository, IReadOnlyList<string> Digests);

/// <param name="Scanned">False when no scan of the image has completed; the counts are then empty.</param>
public sealed record ImageSeverityCounts(
    string Digest,
    bool Scanned,
    ScanStatus? Status,
    DateTimeOffset? ScanCompletedAt,
    IReadOnlyDictionary<FindingSeverity, int> FindingSeverityCounts);

public sealed record ImageSeverityCountsResult(IReadOnlyList<ImageSeverityCounts> Images);

/// <summary>What a proposed configuration would select among the catalogued repositories; nothing is stored.</summary>
public sealed record PreviewScanningConfiguration(string Registry, RegistryScanningConfiguration Configuration);

/// <summary>The catalogued repositories one rule's filters match (any filter matching selects the repository).</summary>
public sealed record RulePreview(int Rule, ScanFrequency ScanFrequency, IReadOnlyList<string> MatchedRepositories);

/// <summary>A repository's effective scanning if the proposed configuration were saved.</summary>
public sealed record RepositoryPreview(string RepositoryName, ScanFrequency ScanFrequency, bool ScanningEnabled, bool ScanOnPush);

/// <summary>The preview, or the same ECR-style error a put of the configuration would get.</summary>
public sealed record ScanningConfigurationPreviewResult(
    IReadOnlyList<RulePreview> Rules,
    IReadOnlyList<RepositoryPreview> Repositories,
    string? ErrorType,
    string? ErrorMessage);
