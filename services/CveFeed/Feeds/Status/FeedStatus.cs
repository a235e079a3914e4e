namespace ImageScanning.CveFeed.Feeds.Status;

/// <summary>What a source's runs left behind: persisted, shown by GET /api/v1/feeds and in metrics.</summary>
public sealed record FeedStatus
{
    public required string Name { get; init; }
    public string Kind { get; init; } = "";
    public DateTimeOffset? LastAttempt { get; init; }
    public DateTimeOffset? LastSuccess { get; init; }

    /// <summary>changed, not_modified or failed: the last run's outcome.</summary>
    public string? LastOutcome { get; init; }

    /// <summary>Why the last run failed; null after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>
    /// Advisories the source holds: the records read at its last successful import (for nvd-api, the advisories it
    /// has enriched so far; for upload, the records of every upload).
    /// </summary>
    public long AdvisoryCount { get; init; }

    /// <summary>Advisories new, changed or metadata-changed by the last run that read data.</summary>
    public int LastChangeCount { get; init; }

    /// <summary>Records of the last successful import that could not be read (the rest were imported).</summary>
    public int LastRejectedCount { get; init; }

    /// <summary>HTTP validators of the last successfully imported response, sent back as If-None-Match / If-Modified-Since.</summary>
    public string? ETag { get; init; }
    public string? LastModified { get; init; }

    /// <summary>Source-specific resume point: nvd-api's end of the last imported lastMod window (ISO 8601).</summary>
    public string? Cursor { get; init; }
}

/// <summary>Status per source; every implementation passes FeedStatusStoreContract.</summary>
public interface IFeedStatusStore
{
    Task<FeedStatus?> GetAsync(string name, CancellationToken ct = default);

    /// <summary>Every stored status, ordered by name.</summary>
    Task<IReadOnlyList<FeedStatus>> ListAsync(CancellationToken ct = default);

    /// <summary>Inserts or replaces the status of <see cref="FeedStatus.Name"/>.</summary>
    Task SaveAsync(FeedStatus status, CancellationToken ct = default);
}
