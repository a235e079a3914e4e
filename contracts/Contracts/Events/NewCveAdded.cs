namespace ImageScanning.Contracts;

/// <summary>CveFeed stored a new advisory, or one whose affected ranges changed.</summary>
public sealed record NewCveAdded(string VulnerabilityId, IReadOnlyList<string> Aliases, IReadOnlyList<AffectedPackageRef> Packages, DateTimeOffset? Modified);

public sealed record AffectedPackageRef(string Ecosystem, string Name);
