namespace ImageScanning.Contracts;

/// <summary>Scan usage of one registry in one calendar month (UTC), Month as "YYYY-MM".</summary>
public sealed record GetScanUsage(string Registry, string Month);

/// <summary>Scans completed per repository, and what ENHANCED scanning would have cost at the configured prices.</summary>
public sealed record ScanUsageResult(
    string Registry, string Month, IReadOnlyList<RepositoryScanUsage> Repositories, long InitialScans, long Rescans,
    decimal InitialScanPriceUsd, decimal RescanPriceUsd, decimal EstimatedCostUsd);

public sealed record RepositoryScanUsage(string Repository, long InitialScans, long Rescans, decimal EstimatedCostUsd);
