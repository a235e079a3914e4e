namespace ImageScanning.Contracts;

/// <summary>ECR RegistryScanningConfiguration: scan type and at most two rules.</summary>
public sealed record RegistryScanningConfiguration(ScanType ScanType, IReadOnlyList<RegistryScanningRule> Rules);

public sealed record RegistryScanningRule(ScanFrequency ScanFrequency, IReadOnlyList<ScanningRepositoryFilter> RepositoryFilters);

public sealed record ScanningRepositoryFilter(string Filter, RepositoryFilterType FilterType);
