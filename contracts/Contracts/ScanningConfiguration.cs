using System.Text.Json.Serialization;

namespace ImageScanning.Contracts;

// Members ECR's model marks required are required on the wire too: a missing enum must not read as its default.

/// <summary>ECR RegistryScanningConfiguration: scan type (BASIC when absent) and at most two rules.</summary>
public sealed record RegistryScanningConfiguration(ScanType ScanType, IReadOnlyList<RegistryScanningRule> Rules);

public sealed record RegistryScanningRule(
    [property: JsonRequired] ScanFrequency ScanFrequency,
    [property: JsonRequired] IReadOnlyList<ScanningRepositoryFilter> RepositoryFilters);

public sealed record ScanningRepositoryFilter(
    [property: JsonRequired] string Filter,
    [property: JsonRequired] RepositoryFilterType FilterType);
